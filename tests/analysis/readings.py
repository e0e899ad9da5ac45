"""Small hand-made readings tables for the analysis tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import frames as F
from lesions.codes import DIAGNOSES


def readings(rows: list[tuple[object, ...]], **extra: object) -> pd.DataFrame:
    """Rows of (phase, kind, reader, image, truth, answer, ai_top[, elapsed_ms])."""
    records = []
    start = pd.Timestamp("2020-03-02 10:00", tz="UTC")
    for n, row in enumerate(rows):
        phase, kind, reader, image, truth, answer, ai_top, *rest = row
        elapsed = rest[0] if rest else 10_000
        served = start + pd.Timedelta(minutes=n)
        record: dict[str, object] = {
            F.STUDY: "study-1",
            F.PHASE: phase,
            F.PHASE_KIND: kind,
            F.READER: reader,
            F.SIMULATED: False,
            F.YEARS_IN_PRACTICE: 5,
            F.CASE: f"{phase}:{image}",
            F.IMAGE: image,
            F.TRUTH: truth,
            F.ANSWER: answer,
            F.OUTCOME: F.TIMED_OUT if answer is None else F.ANSWERED,
            F.SERVED_AT: served,
            F.ANSWERED_AT: served + pd.Timedelta(milliseconds=elapsed),
            F.ELAPSED_MS: elapsed,
            F.HINT_TOP: ai_top if kind == F.HINT else None,
            F.AI_TOP: ai_top,
        }
        for code in DIAGNOSES:
            p = 0.7 if code == ai_top else 0.05
            record[F.AI_PREFIX + code] = p
            record[F.HINT_PREFIX + code] = p if kind == F.HINT else np.nan
        record.update(extra)
        records.append(record)
    return pd.DataFrame(records)
