"""The AI hint of a case: the hint model's prediction for the image, in the phase's style.

The snapshot is what the reader is shown and what is stored with the reading, so the analysis
knows exactly what each reader saw even if the predictions are replaced later. Also which model
a new study shows as hints, and whether a hint phase's model has predicted all its images.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from classifier.models import Prediction, TrainingRun
from contests.models import HintStyle, Phase
from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image, Partition


def hint_snapshot(*, phase: Phase, image: Image) -> dict[str, Any] | None:
    """The hint for one image, or None in a phase without hints.

    Raises ``Prediction.DoesNotExist`` when the hint model has no prediction for the image:
    a hint phase with missing predictions must never be served (see ``phase_images_without_hint``).
    """
    if phase.hint_style == HintStyle.NONE or phase.hint_run_id is None:
        return None
    prediction = Prediction.objects.select_related("run").get(run=phase.hint_run_id, image=image)
    probabilities = {code: float(prediction.probabilities[code]) for code in DIAGNOSES}
    top = max(DIAGNOSES, key=lambda code: probabilities[code])
    return {
        "run": prediction.run_id,
        "model": prediction.run.name,
        "style": phase.hint_style,
        "probabilities": probabilities,
        "top": top,
        "top_probability": probabilities[top],
    }


def phase_images_without_hint(*, phase: Phase) -> int:
    """How many of a hint phase's images the hint model has no prediction for (0 when ready)."""
    if phase.hint_style == HintStyle.NONE:
        return 0
    if phase.hint_run_id is None:
        return phase.cases.count()
    return phase.cases.exclude(image__predictions__run=phase.hint_run_id).count()


def hint_run_for(*, dataset: Dataset) -> TrainingRun | None:
    """The model to show as hints: the run with predictions for most held-out images of the set,
    else the newest run trained on the set (its predictions may still be on their way)."""
    held_out = Q(predictions__image__dataset=dataset, predictions__image__partition=Partition.TEST)
    best = (
        TrainingRun.objects.annotate(n=Count("predictions", filter=held_out))
        .filter(n__gt=0)
        .order_by("-n", "-created_at")
        .first()
    )
    if best is not None:
        return best
    return TrainingRun.objects.filter(experiment__dataset=dataset).order_by("-created_at").first()
