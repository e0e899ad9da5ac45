"""CSV exports of a study: UTF-8, one header row, safe to open in a spreadsheet.

Text cells that a spreadsheet would run as a formula (starting with = + - @) are escaped with
``core.csv.escape_formula``; numbers stay numbers, so pandas and R read them back as numbers.
Simulated readers are left out unless asked for.

- ``readings.csv``: one row per reading (``LONG_COLUMNS``); probabilities to six decimals. Each
  reading carries its session, period, sequence (the reader's arm), image set and confidence.
- ``readers.csv``: one row per reader and phase (accuracy with its CI, per-class TPR, profile).
- ``per_class.csv``: per phase and diagnosis, the readers' and the model's TPR, TNR, ...
- ``imrmc.csv``: the iMRMC input (readerID, caseID, modalityID, score; truth rows with readerID
  and modalityID ``truth``). iMRMC is binary, so truth is malignant (mel, bcc, akiec) = 1 and
  the score is 1 when the reader called the lesion malignant; a timeout is scored as wrong
  (0 on a malignant case, 1 on a benign one), as everywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Protocol

import numpy as np
import pandas as pd

from analysis import frames as F
from analysis.readings_report import StudyReport
from core.csv import escape_formula
from lesions.codes import MALIGNANT

LONG_COLUMNS: tuple[str, ...] = (
    F.STUDY,
    F.PHASE,
    F.PHASE_KIND,
    F.SESSION,
    F.PERIOD,
    F.SEQUENCE,
    F.READER,
    F.SIMULATED,
    # profile_* columns go here
    F.CASE,
    F.IMAGE,
    F.IMAGE_SET,
    F.TRUTH,
    F.ANSWER,
    F.CONFIDENCE,
    F.CORRECT,
    F.OUTCOME,
    F.SERVED_AT,
    F.ANSWERED_AT,
    F.ELAPSED_MS,
    F.HINT_TOP,
    *F.HINT_COLUMNS,
    F.AI_TOP,
    F.AI_CORRECT,
    *F.AI_COLUMNS,
)


class TextSink(Protocol):
    """Anything text can be written to: an open file, an HttpResponse."""

    def write(self, text: str, /) -> object: ...


Target = str | Path | IO[str] | TextSink


def escaped(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with formula-like cells escaped; escape_formula runs once per distinct value."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = out[name] = column.astype(object)
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            uniques = pd.unique(column.dropna())
            mapping = {u: escape_formula(u) for u in uniques if isinstance(u, str)}
            changed = {k: v for k, v in mapping.items() if v != k}
            if changed:
                out[name] = column.map(
                    lambda v, c=changed: c.get(v, v) if isinstance(v, str) else v
                )
    return out


def _write(frame: pd.DataFrame, target: Target) -> None:
    escaped(frame).to_csv(target, index=False, encoding="utf-8", lineterminator="\n")


def long_frame(frame: pd.DataFrame, *, include_simulated: bool = False) -> pd.DataFrame:
    rows = F.with_derived(F.real_readers(frame, include_simulated=include_simulated))
    rows = F.with_design_columns(rows)
    profile = F.profile_columns(rows)
    columns = list(LONG_COLUMNS)
    at = columns.index(F.SIMULATED) + 1
    columns[at:at] = profile
    out = rows.reindex(columns=columns)
    for name in (F.SERVED_AT, F.ANSWERED_AT):
        out[name] = iso_utc(out[name])
    # Six decimals are more than any model's calibration, and shorter numbers write about
    # twice as fast (float formatting is most of a big export's time).
    probabilities = [*F.HINT_COLUMNS, *F.AI_COLUMNS]
    out[probabilities] = out[probabilities].astype(float).round(6)
    return out


def iso_utc(values: pd.Series) -> pd.Series:
    """ISO 8601 in UTC with microseconds and a Z (numpy's formatter: fast for millions)."""
    stamps = pd.to_datetime(values, utc=True)
    naive = stamps.dt.tz_localize(None).to_numpy().astype("datetime64[us]")
    text = np.char.add(naive.astype(str), "Z").astype(object)
    text[stamps.isna().to_numpy()] = None
    return pd.Series(text, index=values.index)


def write_long(frame: pd.DataFrame, target: Target, *, include_simulated: bool = False) -> int:
    """One row per reading; returns the number of rows written."""
    out = long_frame(frame, include_simulated=include_simulated)
    _write(out, target)
    return len(out)


def write_readers(report: StudyReport, target: Target) -> int:
    _write(report.readers, target)
    return len(report.readers)


def per_class_frame(report: StudyReport) -> pd.DataFrame:
    if not report.phases:
        return pd.DataFrame()
    return pd.concat([p.per_class for p in report.phases], ignore_index=True)


def write_per_class(report: StudyReport, target: Target) -> int:
    out = per_class_frame(report)
    _write(out, target)
    return len(out)


def imrmc_frame(frame: pd.DataFrame, *, include_simulated: bool = False) -> pd.DataFrame:
    rows = F.real_readers(frame, include_simulated=include_simulated)
    malignant_truth = rows[F.TRUTH].isin(MALIGNANT).to_numpy()
    said_malignant = rows[F.ANSWER].isin(MALIGNANT).to_numpy()
    timed_out = (rows[F.OUTCOME] == F.TIMED_OUT).to_numpy()
    score = np.where(timed_out, ~malignant_truth, said_malignant).astype(int)
    readings = pd.DataFrame(
        {
            "readerID": rows[F.READER].astype(str).to_numpy(),
            "caseID": rows[F.IMAGE].astype(str).to_numpy(),
            "modalityID": rows[F.PHASE].astype(str).to_numpy(),
            "score": score,
        }
    )
    cases = rows.drop_duplicates(F.IMAGE)
    truth = pd.DataFrame(
        {
            "readerID": "truth",
            "caseID": cases[F.IMAGE].astype(str).to_numpy(),
            "modalityID": "truth",
            "score": cases[F.TRUTH].isin(MALIGNANT).astype(int).to_numpy(),
        }
    )
    return pd.concat([truth, readings], ignore_index=True)


def write_imrmc(frame: pd.DataFrame, target: Target, *, include_simulated: bool = False) -> int:
    out = imrmc_frame(frame, include_simulated=include_simulated)
    _write(out, target)
    return len(out)


EXPORTS: tuple[str, ...] = ("readings", "readers", "per_class", "imrmc")
EXPORT_FILES: tuple[str, ...] = tuple(f"{name}.csv" for name in EXPORTS)


def write_export(
    name: str,
    frame: pd.DataFrame,
    report: StudyReport,
    target: Target,
    *,
    include_simulated: bool = False,
) -> int:
    """The export called ``name`` (one of ``EXPORTS``); returns the number of rows written."""
    if name == "readings":
        return write_long(frame, target, include_simulated=include_simulated)
    if name == "readers":
        return write_readers(report, target)
    if name == "per_class":
        return write_per_class(report, target)
    if name == "imrmc":
        return write_imrmc(frame, target, include_simulated=include_simulated)
    raise ValueError(f"no export called {name!r}; choose one of {', '.join(EXPORTS)}")


def write_all(
    frame: pd.DataFrame, report: StudyReport, folder: Path, *, include_simulated: bool = False
) -> dict[str, int]:
    """Every export into ``folder``; returns rows written per file."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        f"{name}.csv": write_export(
            name, frame, report, folder / f"{name}.csv", include_simulated=include_simulated
        )
        for name in EXPORTS
    }
