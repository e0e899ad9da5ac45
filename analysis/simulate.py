"""Simulated readings with a known effect, for tests, the benchmark and demos (numpy only).

A study like the paper's second contest: a timed phase without hint and a hint phase on other
images. Each reader has an accuracy drawn around the phase's mean; a reader answers right with
that probability, and a wrong answer is a timeout, the hint's (wrong) top class or another class.
Simulated readers are flagged as such.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import frames as F
from lesions.codes import DIAGNOSES

# HAM10000's class mix (akiec, bcc, bkl, df, mel, nv, vasc) as shares of 10,015 images.
CLASS_SHARES = np.array([327, 514, 1099, 115, 1113, 6705, 142], dtype=float) / 10015


def _probabilities(rng: np.random.Generator, top: np.ndarray) -> np.ndarray:
    raw = rng.dirichlet(np.ones(len(DIAGNOSES)), size=len(top))
    raw[np.arange(len(top)), top] += 1.5
    return raw / raw.sum(axis=1, keepdims=True)


def simulate_study(
    *,
    n_readers: int = 20,
    n_cases: int = 35,
    accuracy_without: float = 0.30,
    accuracy_with: float = 0.45,
    ai_accuracy: float = 0.77,
    reader_sd: float = 0.05,
    timeout_share: float = 0.1,
    follow_wrong_hint: float = 0.5,
    seed: int = 0,
    study: str = "simulated",
) -> pd.DataFrame:
    """A readings table (see analysis.frames) with a timed and a hint phase, different cases."""
    rng = np.random.default_rng(seed)
    k = len(DIAGNOSES)
    parts = []
    start = pd.Timestamp("2020-03-02 10:00", tz="UTC")
    years = rng.integers(1, 35, n_readers)
    reader_names = np.array([f"R{i + 1:03d}" for i in range(n_readers)], dtype=object)
    for phase_no, (kind, mean) in enumerate(((F.TIMED, accuracy_without), (F.HINT, accuracy_with))):
        truth = rng.choice(k, size=n_cases, p=CLASS_SHARES)
        ai_top = np.where(
            rng.random(n_cases) < ai_accuracy, truth, (truth + rng.integers(1, k, n_cases)) % k
        )
        ai_p = _probabilities(rng, ai_top)
        skill = np.clip(mean + rng.normal(0, reader_sd, n_readers), 0.01, 0.99)
        r = np.repeat(np.arange(n_readers), n_cases)
        c = np.tile(np.arange(n_cases), n_readers)
        t = truth[c]
        right = rng.random(len(r)) < skill[r]
        other = (t + rng.integers(1, k, len(r))) % k
        if kind == F.HINT:
            wrong_hint = ai_top[c] != t
            take_hint = wrong_hint & (rng.random(len(r)) < follow_wrong_hint)
            other = np.where(take_hint, ai_top[c], other)
        answer = np.where(right, t, other)
        timed_out = ~right & (rng.random(len(r)) < timeout_share)
        elapsed = np.where(timed_out, 45_000, rng.gamma(4.0, 4_000, len(r)).clip(800, 44_000))
        served = start + pd.to_timedelta(phase_no * 3600 + c * 60 + r, unit="s")
        codes = np.array(DIAGNOSES, dtype=object)
        part = pd.DataFrame(
            {
                F.STUDY: study,
                F.PHASE: f"phase {phase_no + 1} ({kind})",
                F.PHASE_KIND: kind,
                F.READER: reader_names[r],
                F.SIMULATED: True,
                F.YEARS_IN_PRACTICE: years[r],
                F.CASE: c + phase_no * n_cases,
                F.IMAGE: np.array([f"img{phase_no}-{i}" for i in range(n_cases)], dtype=object)[c],
                F.TRUTH: codes[t],
                F.ANSWER: np.where(timed_out, None, codes[answer]),
                F.OUTCOME: np.where(timed_out, F.TIMED_OUT, F.ANSWERED),
                F.SERVED_AT: served,
                F.ANSWERED_AT: served + pd.to_timedelta(elapsed, unit="ms"),
                F.ELAPSED_MS: elapsed.astype(np.int64),
                F.HINT_TOP: codes[ai_top[c]] if kind == F.HINT else None,
                F.AI_TOP: codes[ai_top[c]],
            }
        )
        for i, code in enumerate(DIAGNOSES):
            part[F.AI_PREFIX + code] = ai_p[c, i]
            part[F.HINT_PREFIX + code] = ai_p[c, i] if kind == F.HINT else np.nan
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
