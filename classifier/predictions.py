"""Seven probabilities per image: the rule every stored prediction keeps, and the CSV reader of
predictions made outside the platform (``image_id`` + one column per diagnosis).

No Django here: the reader checks a file and returns its rows; ``classifier.services`` stores
them as a run's predictions through the same path as the predictions of a run trained here.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from lesions.codes import DIAGNOSES

# How far the seven probabilities of an image may sum from 1. A softmax is within 1e-15; a
# CSV written elsewhere with three or four decimals per probability can be off by a few 1e-4.
SUM_TOLERANCE = 1e-3
REQUIRED_COLUMNS = ("image_id", *DIAGNOSES)


class PredictionImportError(ValueError):
    """The file breaks a rule; the message lists every problem found (the first few of each)."""


def sums_to_one(probabilities: np.ndarray) -> np.ndarray:
    """Whether each row (the last axis: the seven probabilities) sums to 1 within tolerance."""
    total = np.asarray(probabilities, dtype=np.float64).sum(axis=-1)
    within: np.ndarray = np.abs(total - 1.0) <= SUM_TOLERANCE
    return within


def few(items: Iterable[str], k: int = 5) -> str:
    """The first ``k`` items for a message, and how many more there are."""
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
            values = list(probabilities.values())
            if any(not math.isfinite(p) or p < 0 or p > 1 for p in values):
                bad_numbers.append(str(line))
                continue
            if not bool(sums_to_one(np.array(values))):
                bad_sums.append(str(line))
                continue
            rows.append((line, row["image_id"], probabilities))
    problems = []
    if bad_numbers:
        problems.append(f"probabilities not numbers between 0 and 1 on lines {few(bad_numbers)}")
    if bad_sums:
        problems.append(f"probabilities not summing to 1 on lines {few(bad_sums)}")
    if problems:
        raise PredictionImportError("; ".join(problems).capitalize() + ".")
    if not rows:
        raise PredictionImportError("The file has no rows.")
    return rows


def duplicated_ids(ids: Iterable[str]) -> list[str]:
    """The ids listed more than once, sorted."""
    counts: dict[str, int] = {}
    for image_id in ids:
        counts[image_id] = counts.get(image_id, 0) + 1
    return sorted(i for i, n in counts.items() if n > 1)
