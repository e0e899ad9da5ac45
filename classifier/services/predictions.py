"""A run's predictions and evaluations: every prediction row is written by ``predictions_store``,
whether the run was trained here or its predictions were imported from a CSV (all or nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils import timezone

from classifier import metrics
from classifier.models import Evaluation, Prediction, RunSource, TrainingRun
from classifier.predictions import (
    PredictionImportError,
    duplicated_ids,
    few,
    read_prediction_rows,
    sums_to_one,
)
from core.models import JobStatus
from lesions.codes import DIAGNOSES
from lesions.models import Image


@transaction.atomic
def predictions_store(
    *,
    run: TrainingRun,
    image_ids: Sequence[int],
    probabilities: np.ndarray,
    now: datetime | None = None,
) -> int:
    """Write (or replace) the run's seven probabilities for each image; returns the count."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape != (len(image_ids), len(DIAGNOSES)):
        raise ValueError(f"Expected {len(image_ids)} x {len(DIAGNOSES)} probabilities")
    if not sums_to_one(probabilities).all():
        raise ValueError("Each image's probabilities must sum to 1")
    created_at = now or timezone.now()
    Prediction.objects.filter(run=run, image_id__in=image_ids).delete()
    Prediction.objects.bulk_create(
        (
            Prediction(
                run=run,
                image_id=image_id,
                probabilities={code: float(p) for code, p in zip(DIAGNOSES, row, strict=True)},
                predicted=DIAGNOSES[int(np.argmax(row))],
                created_at=created_at,
            )
            for image_id, row in zip(image_ids, probabilities, strict=True)
        ),
        batch_size=1000,
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


def _images_by_id(ids: Sequence[str], dataset_name: str | None) -> dict[str, Image]:
    """The images of ``ids`` by public id; refuses unknown ids and ids in several data sets."""
    images = Image.objects.filter(image_id__in=ids)
    if dataset_name:
        images = images.filter(dataset__name=dataset_name)
    by_id: dict[str, Image] = {}
    ambiguous = set()
    for image in images:
        if image.image_id in by_id:
            ambiguous.add(image.image_id)
        by_id[image.image_id] = image
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise PredictionImportError(f"Unknown image ids: {few(unknown)}.")
    if ambiguous:
        raise PredictionImportError(
            f"Image ids found in several data sets (name one with --dataset): "
            f"{few(sorted(ambiguous))}."
        )
    return by_id


@transaction.atomic
def predictions_import(
    *, run_name: str, path: Path, now: datetime, dataset_name: str | None = None
) -> TrainingRun:
    """A new run with ``source="imported"`` and one prediction per row of the CSV."""
    if TrainingRun.objects.filter(name=run_name).exists():
        raise PredictionImportError(f"A run named {run_name!r} already exists.")
    rows = read_prediction_rows(path)
    ids = [image_id for _, image_id, _ in rows]
    duplicates = duplicated_ids(ids)
    if duplicates:
        raise PredictionImportError(f"Image ids listed twice: {few(duplicates)}.")
    by_id = _images_by_id(ids, dataset_name)
    run = TrainingRun.objects.create(
        name=run_name,
        source=RunSource.IMPORTED,
        status=JobStatus.SUCCEEDED,
        progress=1.0,
        message=f"{len(rows)} predictions imported from {path.name}",
        created_at=now,
        started_at=now,
        finished_at=now,
    )
    predictions_store(
        run=run,
        image_ids=[by_id[image_id].pk for image_id in ids],
        probabilities=np.array([[p[code] for code in DIAGNOSES] for _, _, p in rows]),
        now=now,
    )
    return run
