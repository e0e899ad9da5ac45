"""Building a study: studies, phases and their cases drawn from a data set's held-out split."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TypedDict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.designs import PAIRED_DESIGNS
from contests.models import (
    Case,
    CaseOrder,
    HintStyle,
    Phase,
    Reading,
    Study,
    StudyDesign,
    StudyStatus,
)
from contests.selectors.designs import study_design_problem
from contests.selectors.hints import phase_images_without_hint
from contests.selectors.researcher import study_phases
from contests.services.content import (
    Texts,
    consent_text_record,
    first_language,
    localized,
    texts_columns,
)
from contests.services.errors import BuilderError, PhaseImageError, StudyNotDraft
from contests.translation import PHASE_TEXT_FIELDS, STUDY_TEXT_FIELDS
from core.bounds import GRACE_SECONDS, SHARE, TIME_LIMIT_SECONDS
from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image, Partition


@transaction.atomic
def study_create(
    *,
    title: str,
    description: str = "",
    consent_text: str = "",
    consent_version: str = "1",
    languages: Sequence[str] = ("en", "es"),
    grace_seconds: float = 2.0,
    show_score_after_close: bool = False,
    dataset: Dataset | None = None,
    design: str = StudyDesign.SEQUENTIAL,
    washout_days: int = 28,
    asks_confidence: bool = False,
    block_size: int = 4,
    texts: Texts | None = None,
) -> Study:
    """A draft study. ``title``, ``description`` and ``consent_text`` are in its first
    language (``languages[0]``); ``texts`` adds them in its other languages."""
    if not title.strip():
        raise BuilderError(_("A study needs a title."))
    if design not in StudyDesign.values:
        raise BuilderError(_("Unknown study design %(design)r.") % {"design": design})
    if not 0 <= washout_days <= 365:
        raise BuilderError(
            _("The washout is between 0 and 365 days, not %(days)s.") % {"days": washout_days}
        )
    if block_size < 2 or block_size > 100 or block_size % 2:
        raise BuilderError(
            _("Blocks hold an even number of readers, 2 to 100, not %(size)s.")
            % {"size": block_size}
        )
    unknown = set(languages) - {"en", "es"}
    if unknown or not languages:
        raise BuilderError(
            _("Languages must be among en, es; got %(languages)s.") % {"languages": list(languages)}
        )
    if not GRACE_SECONDS.contains(grace_seconds):
        raise BuilderError(
            _("The grace must be 0 to 30 seconds, not %(seconds)s.") % {"seconds": grace_seconds}
        )
    first = languages[0]
    columns = {
        localized("title", first): title.strip(),
        localized("description", first): description,
        localized("consent_text", first): consent_text,
    }
    columns.update(texts_columns(texts or {}, fields=STUDY_TEXT_FIELDS, languages=list(languages)))
    study = Study.objects.create(
        **columns,
        consent_version=consent_version,
        languages=list(languages),
        grace_seconds=grace_seconds,
        show_score_after_close=show_score_after_close,
        dataset=dataset,
        design=design,
        washout_days=washout_days,
        asks_confidence=asks_confidence,
        block_size=block_size,
    )
    if not (getattr(study, localized("title", first)) or "").strip():
        raise BuilderError(_("A study needs a title in its first language."))
    consent_text_record(study=study)
    return study


def _check_phase_fields(
    *, hint_style: str, hint_run_id: int | None, case_order: str, time_limit_seconds: int | None
) -> None:
    if hint_style not in HintStyle.values:
        raise BuilderError(_("Unknown hint style %(style)r.") % {"style": hint_style})
    if hint_style != HintStyle.NONE and hint_run_id is None:
        raise BuilderError(_("A hint phase needs a hint model."))
    if case_order not in CaseOrder.values:
        raise BuilderError(_("Unknown case order %(order)r.") % {"order": case_order})
    if time_limit_seconds is not None and not TIME_LIMIT_SECONDS.contains(time_limit_seconds):
        raise BuilderError(
            _("A time limit must be 5 to 3600 seconds (or none), not %(seconds)s.")
            % {"seconds": time_limit_seconds}
        )


def study_check_draft(*, study: Study) -> None:
    """Refuse (``StudyNotDraft``) unless the study is still a draft: its phases may change."""
    if study.status != StudyStatus.DRAFT:
        raise StudyNotDraft(
            _("The study is %(status)s: its phases can change only before it opens.")
            % {"status": study.get_status_display()}
        )


@transaction.atomic
def phase_create(
    *,
    study: Study,
    title: str,
    order: int | None = None,
    time_limit_seconds: int | None = None,
    hint_style: str = HintStyle.NONE,
    hint_run_id: int | None = None,
    case_order: str = CaseOrder.SHUFFLED,
    gated: bool = False,
    instructions: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    texts: Texts | None = None,
) -> Phase:
    """A phase at the end of the study (or at ``order``). ``title`` and ``instructions`` are
    in the study's first language; ``texts`` adds them in its other languages."""
    _check_phase_fields(
        hint_style=hint_style,
        hint_run_id=hint_run_id,
        case_order=case_order,
        time_limit_seconds=time_limit_seconds,
    )
    if order is None:
        last = study.phases.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 1
    return Phase.objects.create(
        study=study,
        **_phase_columns(study, title=title, instructions=instructions, texts=texts),
        order=order,
        time_limit_seconds=time_limit_seconds,
        hint_style=hint_style,
        hint_run_id=hint_run_id if hint_style != HintStyle.NONE else None,
        case_order=case_order,
        gated=gated,
        opens_at=opens_at,
        closes_at=closes_at,
    )


def _phase_columns(
    study: Study, *, title: str, instructions: str, texts: Texts | None
) -> dict[str, str]:
    first = first_language(study)
    if not title.strip():
        raise BuilderError(_("A phase needs a title."))
    columns = {
        localized("title", first): title.strip(),
        localized("instructions", first): instructions,
    }
    columns.update(texts_columns(texts or {}, fields=PHASE_TEXT_FIELDS, languages=study.languages))
    return columns


class PhaseChanges(TypedDict, total=False):
    """The fields of a phase that may change before its study opens (all optional)."""

    title: str
    instructions: str
    time_limit_seconds: int | None
    hint_style: str
    hint_run_id: int | None
    case_order: str
    gated: bool
    opens_at: datetime | None
    closes_at: datetime | None


@transaction.atomic
def phase_update(*, phase: Phase, changes: PhaseChanges) -> Phase:
    """Change a phase of a draft study, under the rules ``phase_create`` keeps."""
    study_check_draft(study=phase.study)
    _check_phase_fields(
        hint_style=changes.get("hint_style", phase.hint_style),
        hint_run_id=changes.get("hint_run_id", phase.hint_run_id),
        case_order=changes.get("case_order", phase.case_order),
        time_limit_seconds=(changes.get("time_limit_seconds", phase.time_limit_seconds)),
    )
    if "title" in changes and not changes["title"].strip():
        raise BuilderError(_("A phase needs a title."))
    # The title and instructions given here are in the study's first language.
    first = first_language(phase.study)
    columns: dict[str, object] = {
        localized(name, first) if name in PHASE_TEXT_FIELDS else name: value
        for name, value in changes.items()
    }
    for name, value in columns.items():
        setattr(
            phase,
            name,
            value.strip() if isinstance(value, str) and name.startswith("title_") else value,
        )
    if phase.hint_style == HintStyle.NONE:
        phase.hint_run_id = None
    phase.save(update_fields=[*columns, "hint_run_id"])
    return phase


@transaction.atomic
def study_phases_reorder(*, study: Study, phase_ids: Sequence[int]) -> list[Phase]:
    """Put a draft study's phases in the order of ``phase_ids`` (every phase, once each)."""
    study_check_draft(study=study)
    phases = {phase.pk: phase for phase in study.phases.select_for_update()}
    if sorted(phase_ids) != sorted(phases):
        raise BuilderError(
            _("Name every phase of the study once: %(expected)s, not %(given)s.")
            % {"expected": sorted(phases), "given": list(phase_ids)}
        )
    # Two steps, so that (study, order) stays unique at every UPDATE.
    offset = max(phase.order for phase in phases.values()) + len(phases) if phases else 0
    for position, pk in enumerate(phase_ids, start=1):
        Phase.objects.filter(pk=pk).update(order=offset + position)
    for position, pk in enumerate(phase_ids, start=1):
        Phase.objects.filter(pk=pk).update(order=position)
        phases[pk].order = position
    return [phases[pk] for pk in phase_ids]


def _lesions_elsewhere(phase: Phase) -> set[int]:
    """Lesions of the study's other phases: no lesion appears in two phases, except in two
    phases paired by design (``contests.services.designs``), which change together."""
    return set(
        Case.objects.filter(phase__study=phase.study_id)
        .exclude(phase=phase)
        .values_list("image__lesion_id", flat=True)
    )


def _check_replaceable(phase: Phase) -> None:
    if Reading.objects.filter(case__phase=phase).exists():
        raise BuilderError(_("This phase has readings: its cases can no longer change."))
    if (
        phase.study.design in PAIRED_DESIGNS
        and Phase.objects.filter(
            Q(pk=phase.shares_cases_with_id) | Q(shares_cases_with=phase)
        ).exists()
    ):
        raise BuilderError(_("This phase shares its images with another by design: rebuild both."))


def _replace_cases(phase: Phase, images: Sequence[Image]) -> list[Case]:
    phase.cases.all().delete()
    return Case.objects.bulk_create(
        [Case(phase=phase, image=image, position=i + 1) for i, image in enumerate(images)]
    )


def _counts(n: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split ``n`` over the classes by weight, largest remainders first (sums to exactly n)."""
    total = sum(weights.values())
    exact = {code: n * w / total for code, w in weights.items()}
    counts = {code: int(x) for code, x in exact.items()}
    by_remainder = sorted(weights, key=lambda c: (-(exact[c] - counts[c]), DIAGNOSES.index(c)))
    for code in by_remainder[: n - sum(counts.values())]:
        counts[code] += 1
    return counts


@transaction.atomic
def phase_cases_draw(
    *,
    phase: Phase,
    dataset: Dataset,
    n: int,
    seed: int = 0,
    proportions: Mapping[str, float] | None = None,
) -> list[Case]:
    """Draw ``n`` cases from the data set's held-out split, replacing the phase's cases.

    Stratified by diagnosis (each class in its share of the held-out images), or in the given
    ``proportions`` ({code: weight}). One image per lesion, and no lesion that another phase of
    the study already uses. The same seed over the same catalogue draws the same cases.
    """
    _check_replaceable(phase)
    if n <= 0:
        raise BuilderError(_("Draw at least one case."))
    if proportions is not None:
        unknown = set(proportions) - set(DIAGNOSES)
        if unknown:
            raise BuilderError(
                _("Unknown diagnosis codes in the proportions: %(codes)s.")
                % {"codes": sorted(unknown)}
            )
        shares = list(proportions.values())
        if not all(SHARE.contains(w) for w in shares) or sum(shares) <= 0:
            raise BuilderError(_("Proportions are shares from 0 to 1, not all zero."))
    rng = random.Random(seed)
    excluded = _lesions_elsewhere(phase)
    candidates = (
        Image.objects.filter(dataset=dataset, partition=Partition.TEST, is_synthetic=False)
        .exclude(lesion_id__in=excluded)
        .select_related("lesion")
        .order_by("lesion_id", "image_id")
    )
    # One image per lesion, picked by the seed.
    by_lesion: dict[int, list[Image]] = {}
    for image in candidates:
        by_lesion.setdefault(image.lesion_id, []).append(image)
    pool: dict[str, list[Image]] = {code: [] for code in DIAGNOSES}
    for lesion_id in sorted(by_lesion):
        images = by_lesion[lesion_id]
        pool[images[0].lesion.diagnosis].append(rng.choice(images))
    available = sum(len(v) for v in pool.values())
    if n > available:
        raise BuilderError(
            _(
                "Only %(available)s held-out lesions of %(dataset)s are free for this phase; "
                "cannot draw %(n)s."
            )
            % {"available": available, "dataset": dataset, "n": n}
        )
    if proportions is None:
        weights = {code: float(len(pool[code])) for code in DIAGNOSES if pool[code]}
    else:
        weights = {code: float(w) for code, w in proportions.items() if w > 0}
    counts = _counts(n, weights)
    chosen: list[Image] = []
    for code in DIAGNOSES:
        k = counts.get(code, 0)
        if k > len(pool[code]):
            raise BuilderError(
                _("Only %(free)s free held-out lesions of class %(code)s; %(asked)s asked.")
                % {"free": len(pool[code]), "code": code, "asked": k}
            )
        chosen.extend(rng.sample(pool[code], k))
    # The fixed order must not group the classes.
    rng.shuffle(chosen)
    return _replace_cases(phase, chosen)


@transaction.atomic
def phase_cases_set(*, phase: Phase, images: Sequence[Image]) -> list[Case]:
    """Use exactly these images, in this order, as the phase's cases (the lesion rule holds)."""
    _check_replaceable(phase)
    if not images:
        raise BuilderError(_("Pick at least one image."))
    lesions = [image.lesion_id for image in images]
    if len(set(lesions)) != len(lesions):
        raise BuilderError(_("Two of the images show the same lesion."))
    clash = set(lesions) & _lesions_elsewhere(phase)
    if clash:
        raise BuilderError(
            _("%(n)s of these lesions are already in another phase.") % {"n": len(clash)}
        )
    not_test = [image.image_id for image in images if image.partition != Partition.TEST]
    if not_test:
        raise BuilderError(
            _("Not held-out images: %(images)s.") % {"images": ", ".join(not_test[:5])}
        )
    return _replace_cases(phase, images)


@transaction.atomic
def phase_images_add(*, phase: Phase, image_ids: Sequence[str]) -> list[Case]:
    """Append the named images (ids of the study's data set) to the phase's cases.

    The builder's rules hold (held-out split only, no lesion twice in the study); on any refusal
    nothing changes.
    """
    study = phase.study
    if study.dataset_id is None:
        raise PhaseImageError(_("The study has no data set: pick one before adding images."))
    wanted = list(dict.fromkeys(image_ids))
    found = {
        image.image_id: image
        for image in Image.objects.filter(dataset_id=study.dataset_id, image_id__in=wanted)
    }
    unknown = [image_id for image_id in wanted if image_id not in found]
    if unknown:
        raise PhaseImageError(
            _("Not in %(dataset)s: %(images)s.")
            % {"dataset": study.dataset, "images": ", ".join(unknown[:5])}
        )
    existing = [case.image for case in phase.cases.select_related("image").order_by("position")]
    already = {image.pk for image in existing}
    new = [found[image_id] for image_id in wanted if found[image_id].pk not in already]
    try:
        cases = phase_cases_set(phase=phase, images=[*existing, *new])
    except BuilderError as error:
        raise PhaseImageError(str(error)) from error
    return cases[len(existing) :]


def study_phases_with_cases(*, study: Study) -> list[Phase]:
    """The study's phases; refused unless there is at least one and each has its cases."""
    phases = study_phases(study=study)
    if not phases:
        raise BuilderError(_("The study has no phases."))
    for phase in phases:
        if not phase.case_count:
            raise BuilderError(
                _("Phase %(order)s (%(title)s) has no cases.")
                % {"order": phase.order, "title": phase.title}
            )
    return list(phases)


@transaction.atomic
def study_open(*, study: Study) -> Study:
    """Open a study to its readers, once every phase has cases and every hint phase its hints
    (and a counterbalanced or crossover study its paired phases)."""
    problem = study_design_problem(study=study)
    if problem is not None:
        raise BuilderError(problem)
    for phase in study_phases_with_cases(study=study):
        missing = phase_images_without_hint(phase=phase)
        if missing:
            raise BuilderError(
                _(
                    "Phase %(order)s (%(title)s): the hint model has no prediction "
                    "for %(missing)s of its images."
                )
                % {"order": phase.order, "title": phase.title, "missing": missing}
            )
    study.status = StudyStatus.OPEN
    study.save(update_fields=["status"])
    return study


@transaction.atomic
def study_close(*, study: Study, now: datetime | None = None) -> Study:
    study.status = StudyStatus.CLOSED
    study.save(update_fields=["status"])
    now = now or timezone.now()
    study.phases.filter(closes_at__isnull=True).update(closes_at=now)
    return study
