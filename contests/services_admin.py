"""Writes behind the researcher's pages and admin that the builder does not offer as such."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from contests.models import Case, Phase
from contests.services import BuilderError, phase_cases_set
from lesions.models import Image


class PhaseImageError(BuilderError):
    """Image ids that cannot be added to a phase."""


@transaction.atomic
def phase_images_add(*, phase: Phase, image_ids: Sequence[str]) -> list[Case]:
    """Append the named images (ids of the study's data set) to the phase's cases.

    The builder's rules hold (held-out split only, no lesion twice in the study); on any refusal
    nothing changes.
    """
    study = phase.study
    if study.dataset_id is None:
        raise PhaseImageError("The study has no data set: pick one before adding images.")
    wanted = list(dict.fromkeys(image_ids))
    found = {
        image.image_id: image
        for image in Image.objects.filter(dataset_id=study.dataset_id, image_id__in=wanted)
    }
    unknown = [image_id for image_id in wanted if image_id not in found]
    if unknown:
        raise PhaseImageError(f"Not in {study.dataset}: {', '.join(unknown[:5])}.")
    existing = [case.image for case in phase.cases.select_related("image").order_by("position")]
    already = {image.pk for image in existing}
    new = [found[image_id] for image_id in wanted if found[image_id].pk not in already]
    try:
        cases = phase_cases_set(phase=phase, images=[*existing, *new])
    except BuilderError as error:
        raise PhaseImageError(str(error)) from error
    return cases[len(existing) :]
