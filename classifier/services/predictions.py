"""A run's predictions and evaluations: every prediction row is written by ``predictions_store``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.db import transaction

from classifier import metrics
from classifier.models import Evaluation, Prediction, TrainingRun
from lesions.codes import DIAGNOSES
from lesions.models import Image


@transaction.atomic
def predictions_store(
    *,
    run: TrainingRun,
    image_ids: Sequence[int],
    probabilities: np.ndarray,
) -> int:
    """Write (or replace) the run's seven probabilities for each image; returns the count."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape != (len(image_ids), len(DIAGNOSES)):
        raise ValueError(f"Expected {len(image_ids)} x {len(DIAGNOSES)} probabilities")
    if not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("Each image's probabilities must sum to 1")
    Prediction.objects.filter(run=run, image_id__in=image_ids).delete()
    Prediction.objects.bulk_create(
        (
            Prediction(
                run=run,
                image_id=image_id,
                probabilities={code: float(p) for code, p in zip(DIAGNOSES, row, strict=True)},
                predicted=DIAGNOSES[int(np.argmax(row))],
            )
            for image_id, row in zip(image_ids, probabilities, strict=True)
        )
    )
    return len(image_ids)


@transaction.atomic
def evaluation_store(
    *,
    run: TrainingRun,
    images: Sequence[Image],
    probabilities: np.ndarray,
    split: str = "test",
    ms_per_image_batched: float | None = None,
    ms_per_image_batch1: float | None = None,
    device: str = "",
) -> Evaluation:
    """Store the run's predictions for ``images`` and the metrics computed from them."""
    labels = np.array([DIAGNOSES.index(image.lesion.diagnosis) for image in images])
    numbers = metrics.evaluate(labels, probabilities)
    predictions_store(run=run, image_ids=[i.pk for i in images], probabilities=probabilities)
    evaluation, _ = Evaluation.objects.update_or_create(
        run=run,
        split=split,
        defaults={
            **numbers,
            "ms_per_image_batched": ms_per_image_batched,
            "ms_per_image_batch1": ms_per_image_batch1,
            "device": device,
        },
    )
    return evaluation
