"""Predictions made outside the platform, loaded as a classifier run (all or nothing)."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from django.db import transaction

from classifier.models import Prediction, RunSource, TrainingRun
from contests.services.errors import ContestError
from core.models import JobStatus
from lesions.codes import DIAGNOSES
from lesions.models import Image

SUM_TOLERANCE = 1e-3
REQUIRED_COLUMNS = ("image_id", *DIAGNOSES)


class PredictionImportError(ContestError):
    """The file breaks a rule; the message lists every problem found (the first few of each)."""


def _few(items: Iterable[str], k: int = 5) -> str:
    items = list(items)
    more = f" and {len(items) - k} more" if len(items) > k else ""
    return ", ".join(items[:k]) + more


def read_prediction_rows(path: Path) -> list[tuple[int, str, dict[str, float]]]:
    """(line number, image id, {code: probability}) for every row; refuses a malformed file."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise PredictionImportError(f"Missing columns: {', '.join(missing)}.")
        rows = []
        bad_numbers, bad_sums = [], []
        for line, raw in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
            try:
                probabilities = {code: float(row[code]) for code in DIAGNOSES}
            except ValueError:
                bad_numbers.append(str(line))
                continue
            values = probabilities.values()
            if any(not math.isfinite(p) or p < 0 or p > 1 for p in values):
                bad_numbers.append(str(line))
                continue
            if abs(sum(values) - 1.0) > SUM_TOLERANCE:
                bad_sums.append(str(line))
                continue
            rows.append((line, row["image_id"], probabilities))
    problems = []
    if bad_numbers:
        problems.append(f"probabilities not numbers between 0 and 1 on lines {_few(bad_numbers)}")
    if bad_sums:
        problems.append(f"probabilities not summing to 1 on lines {_few(bad_sums)}")
    if problems:
        raise PredictionImportError("; ".join(problems).capitalize() + ".")
    if not rows:
        raise PredictionImportError("The file has no rows.")
    return rows


@transaction.atomic
def predictions_import(
    *, run_name: str, path: Path, now: datetime, dataset_name: str | None = None
) -> TrainingRun:
    """A new run with ``source="imported"`` and one prediction per row of the CSV."""
    if TrainingRun.objects.filter(name=run_name).exists():
        raise PredictionImportError(f"A run named {run_name!r} already exists.")
    rows = read_prediction_rows(path)
    ids = [image_id for _, image_id, _ in rows]
    counts: dict[str, int] = {}
    for image_id in ids:
        counts[image_id] = counts.get(image_id, 0) + 1
    duplicates = sorted(i for i, n in counts.items() if n > 1)
    if duplicates:
        raise PredictionImportError(f"Image ids listed twice: {_few(duplicates)}.")
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
        raise PredictionImportError(f"Unknown image ids: {_few(unknown)}.")
    if ambiguous:
        raise PredictionImportError(
            f"Image ids found in several data sets (name one with --dataset): "
            f"{_few(sorted(ambiguous))}."
        )
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
    Prediction.objects.bulk_create(
        [
            Prediction(
                run=run,
                image=by_id[image_id],
                probabilities=probabilities,
                predicted=max(DIAGNOSES, key=lambda code: probabilities[code]),
                created_at=now,
            )
            for _, image_id, probabilities in rows
        ],
        batch_size=1000,
    )
    return run
