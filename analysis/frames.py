"""The long readings table every analysis module takes: one row per reading.

The selector that fills it from the database is a thin mapping onto these names, and the
statistics never see a model instance. Diagnoses are the codes of ``lesions.codes.DIAGNOSES``;
an answer is missing (``None``/NaN) when the reading timed out.

Columns
-------
study, phase, phase_kind        ids/names of the study and phase; kind is untimed, timed or hint
reader, simulated               pseudonym (R001, ...) and whether it is a simulated reader
profile_*                       the reader's profile (``profile_years_in_practice``, ...)
case, image                     the case id within the study and the image's public id
truth, answer, outcome          true and given diagnosis (None on timeout); answered/timed_out
served_at, answered_at          when the image was first served and when the answer arrived
elapsed_ms                      answered_at - served_at in milliseconds
hint_top, hint_p_<code>         the hint as shown (hint phases only; NaN elsewhere)
ai_top, ai_p_<code>             the model's prediction for the image (every phase, for comparisons)

Design columns (optional: ``with_design_columns`` fills them when a table lacks them)
-------------------------------------------------------------------------------------
session                         the reader's session: 2 for a crossover's second session, else 1
period                          the place of the phase in the order this reader took the phases
sequence                        the reader's arm in words ("" where the design has no arms)
image_set                       the image set of the case, A or B ("" where a phase has one set)
confidence                      "How sure are you?" 1-5 where the study asked it, else NaN
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from lesions.codes import DIAGNOSES, MALIGNANT

STUDY = "study"
PHASE = "phase"
PHASE_KIND = "phase_kind"
READER = "reader"
SIMULATED = "simulated"
PROFILE_PREFIX = "profile_"
YEARS_IN_PRACTICE = "profile_years_in_practice"
CASE = "case"
IMAGE = "image"
TRUTH = "truth"
ANSWER = "answer"
OUTCOME = "outcome"
SERVED_AT = "served_at"
ANSWERED_AT = "answered_at"
ELAPSED_MS = "elapsed_ms"
HINT_TOP = "hint_top"
HINT_PREFIX = "hint_p_"
AI_TOP = "ai_top"
AI_PREFIX = "ai_p_"

SESSION = "session"
PERIOD = "period"
SEQUENCE = "sequence"
IMAGE_SET = "image_set"
CONFIDENCE = "confidence"
DESIGN_COLUMNS: tuple[str, ...] = (SESSION, PERIOD, SEQUENCE, IMAGE_SET, CONFIDENCE)

# Derived by ``with_derived``.
CORRECT = "correct"
AI_CORRECT = "ai_correct"

UNTIMED = "untimed"
TIMED = "timed"
HINT = "hint"
PHASE_KINDS: tuple[str, ...] = (UNTIMED, TIMED, HINT)

ANSWERED = "answered"
TIMED_OUT = "timed_out"
OUTCOMES: tuple[str, ...] = (ANSWERED, TIMED_OUT)

HINT_COLUMNS: tuple[str, ...] = tuple(HINT_PREFIX + code for code in DIAGNOSES)
AI_COLUMNS: tuple[str, ...] = tuple(AI_PREFIX + code for code in DIAGNOSES)

REQUIRED: tuple[str, ...] = (
    STUDY,
    PHASE,
    PHASE_KIND,
    READER,
    SIMULATED,
    CASE,
    IMAGE,
    TRUTH,
    ANSWER,
    OUTCOME,
    SERVED_AT,
    ANSWERED_AT,
    ELAPSED_MS,
    HINT_TOP,
    *HINT_COLUMNS,
    AI_TOP,
    *AI_COLUMNS,
)

# Index of "no answer" in the code arrays: a timeout is an answer that matches no class.
NO_ANSWER = len(DIAGNOSES)
_CODE_TO_INDEX = {code: i for i, code in enumerate(DIAGNOSES)}
MALIGNANT_MASK = np.array([code in MALIGNANT for code in DIAGNOSES])


def empty() -> pd.DataFrame:
    """A readings table with every column and no rows."""
    return pd.DataFrame({name: pd.Series(dtype=object) for name in REQUIRED})


def validate(frame: pd.DataFrame) -> pd.DataFrame:
    """Check that a readings table is usable; raise ValueError naming what is wrong."""
    missing = [name for name in REQUIRED if name not in frame.columns]
    if missing:
        raise ValueError(f"readings table lacks columns: {', '.join(missing)}")
    bad_kind = set(frame[PHASE_KIND].dropna().unique()) - set(PHASE_KINDS)
    if bad_kind:
        raise ValueError(f"unknown phase kinds: {sorted(map(str, bad_kind))}")
    bad_outcome = set(frame[OUTCOME].dropna().unique()) - set(OUTCOMES)
    if bad_outcome:
        raise ValueError(f"unknown outcomes: {sorted(map(str, bad_outcome))}")
    for column in (TRUTH, ANSWER, HINT_TOP, AI_TOP):
        values = frame[column].dropna().unique()
        unknown = set(values) - set(DIAGNOSES)
        if unknown:
            raise ValueError(
                f"column {column!r} has unknown diagnoses: {sorted(map(str, unknown))}"
            )
    if frame[TRUTH].isna().any():
        raise ValueError("every reading needs a true diagnosis")
    answered_without = (frame[OUTCOME] == ANSWERED) & frame[ANSWER].isna()
    if answered_without.any():
        raise ValueError(f"{int(answered_without.sum())} answered readings have no answer")
    duplicated = frame.duplicated([STUDY, PHASE, READER, CASE])
    if duplicated.any():
        raise ValueError(f"{int(duplicated.sum())} duplicated readings (same phase, reader, case)")
    return frame


# Text columns held as categoricals by ``compact``: grouping and counting then work on small
# integer codes instead of hashing millions of strings again in every step.
CATEGORICAL: tuple[str, ...] = (
    STUDY,
    PHASE,
    PHASE_KIND,
    READER,
    CASE,
    IMAGE,
    TRUTH,
    ANSWER,
    OUTCOME,
    HINT_TOP,
    AI_TOP,
)


def with_design_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with every design column, those it lacks filled as for phases in order: one
    session, the periods in the order the phases first appear, no arms, one image set each."""
    missing = [name for name in DESIGN_COLUMNS if name not in frame.columns]
    if not missing:
        return frame
    out = frame.copy()
    defaults: dict[str, object] = {SESSION: 1, SEQUENCE: "", IMAGE_SET: "", CONFIDENCE: np.nan}
    for name in missing:
        if name == PERIOD:
            phases = pd.unique(out[PHASE].astype(object))
            out[PERIOD] = pd.Categorical(out[PHASE].astype(object), categories=phases).codes + 1
        else:
            out[name] = defaults[name]
    out[CONFIDENCE] = pd.to_numeric(out[CONFIDENCE], errors="coerce").astype(float)
    return out


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with its text columns as categoricals (same values, much faster to group)."""
    out = frame.copy()
    for name in CATEGORICAL:
        if name in out.columns and not isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = out[name].astype(object).astype("category")
    return out


def code_index(values: pd.Series | Iterable[object]) -> np.ndarray:
    """Diagnosis codes as indices 0..6 of DIAGNOSES; missing answers become NO_ANSWER (7)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in series.cat.categories]
        unknown_codes = sorted(set(categories) - set(DIAGNOSES))
        if unknown_codes:
            raise ValueError(f"unknown diagnoses: {unknown_codes[:5]}")
        lookup = np.array([_CODE_TO_INDEX[c] for c in categories] + [NO_ANSWER], dtype=np.int64)
        return lookup[np.asarray(series.cat.codes, dtype=np.int64)]  # code -1 -> NO_ANSWER
    known = series.isin(DIAGNOSES)
    unknown = series[series.notna() & ~known]
    if len(unknown):
        raise ValueError(f"unknown diagnoses: {sorted(map(str, unknown.unique()))[:5]}")
    categorical = pd.Categorical(series.where(known), categories=list(DIAGNOSES))
    codes = np.asarray(categorical.codes, dtype=np.int64)
    codes[codes < 0] = NO_ANSWER
    return codes


def with_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with ``correct`` and ``ai_correct`` added (a timeout is never correct)."""
    out = frame.copy()
    truth = code_index(out[TRUTH])
    ai = code_index(out[AI_TOP])
    out[CORRECT] = (code_index(out[ANSWER]) == truth) & (out[OUTCOME] == ANSWERED).to_numpy()
    out[AI_CORRECT] = pd.Series(ai == truth, index=out.index).where(ai != NO_ANSWER)
    return out


def real_readers(frame: pd.DataFrame, *, include_simulated: bool = False) -> pd.DataFrame:
    """Simulated readers are never mixed into real results unless asked for."""
    if include_simulated:
        return frame
    return frame[~frame[SIMULATED].astype(bool)]


def profile_columns(frame: pd.DataFrame) -> list[str]:
    return [name for name in frame.columns if name.startswith(PROFILE_PREFIX)]
