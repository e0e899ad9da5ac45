"""Simulated readings with a known effect, for tests, the benchmark and demos (numpy only).

A study like the paper's second contest: a timed phase without hint and a hint phase on other
images. The readers are the contests' simulated readers (``contests.simulation``, the one reader
model), drawn for a whole study at once: each has an accuracy of their own around the phase's
mean (Beta), takes a gamma-distributed time per case, and a case that reaches the 45 s limit is
a timeout; in the hint phase a reader answers the AI's top class with a fixed chance, else by
their own accuracy. The model's parameters are set from the arguments so that the readers'
expected accuracies (a timeout counts as wrong) are the ones asked for. Simulated readers are
flagged as such.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import frames as F
from contests.simulation import (
    Behaviour,
    answer_cases,
    concentration_for_spread,
    readers_accuracy,
    seconds_mean_for_timeouts,
    timed_out,
)
from lesions.codes import DIAGNOSES

# HAM10000's class mix (akiec, bcc, bkl, df, mel, nv, vasc) as shares of 10,015 images.
CLASS_SHARES = np.array([327, 514, 1099, 115, 1113, 6705, 142], dtype=float) / 10015
# The paper's second contest: 45 seconds per image.
TIME_LIMIT_SECONDS = 45


def _probabilities(rng: np.random.Generator, top: np.ndarray) -> np.ndarray:
    raw = rng.dirichlet(np.ones(len(DIAGNOSES)), size=len(top))
    raw[np.arange(len(top)), top] += 1.5
    return raw / raw.sum(axis=1, keepdims=True)


def phase_behaviours(
    *,
    accuracy_without: float,
    accuracy_with: float,
    ai_accuracy: float,
    reader_sd: float,
    timeout_share: float,
    follow_wrong_hint: float,
) -> tuple[Behaviour, Behaviour, int | None]:
    """The reader model's parameters for the timed and the hint phase, and the time limit.

    A reader answers a case (rather than timing out) with probability ``1 - timeout_share``
    whatever the answer, so their own accuracy is the asked one over that share. In the hint
    phase they follow the AI with probability ``follow_wrong_hint`` (a wrong hint as often as a
    right one: the reader cannot tell them apart), so their own accuracy is what is left of the
    asked one once the AI's share is taken out.
    """
    if not 0.0 <= timeout_share < 1.0:
        raise ValueError(f"timeout_share must be in [0, 1), not {timeout_share}")
    if not 0.0 <= follow_wrong_hint < 1.0:
        raise ValueError(f"follow_wrong_hint must be in [0, 1), not {follow_wrong_hint}")
    answered = 1.0 - timeout_share
    own_without = accuracy_without / answered
    own_with = (accuracy_with / answered - follow_wrong_hint * ai_accuracy) / (
        1.0 - follow_wrong_hint
    )
    for name, own in (("accuracy_without", own_without), ("accuracy_with", own_with)):
        if not 0.0 <= own <= 1.0:
            raise ValueError(
                f"{name} cannot be reached: the readers' own accuracy would be {own:.3f} "
                f"(with timeout_share={timeout_share}, follow_wrong_hint={follow_wrong_hint}, "
                f"ai_accuracy={ai_accuracy})"
            )
    limit = TIME_LIMIT_SECONDS if timeout_share > 0 else None
    seconds_mean = (
        seconds_mean_for_timeouts(limit_seconds=TIME_LIMIT_SECONDS, share=timeout_share)
        if limit is not None
        else Behaviour().seconds_mean
    )
    timed, hinted = (
        Behaviour(
            accuracy=own,
            ai_follow=follow,
            seconds_mean=seconds_mean,
            concentration=concentration_for_spread(mean=own, sd=reader_sd),
        )
        for own, follow in ((own_without, 0.0), (own_with, follow_wrong_hint))
    )
    return timed, hinted, limit


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
    """A readings table (see analysis.frames) with a timed and a hint phase, different cases.

    ``accuracy_without`` and ``accuracy_with`` are the readers' expected accuracies in the two
    phases (timeouts count as wrong); ``ai_accuracy`` the chance that the AI's top class is
    right on a case; ``reader_sd`` the spread of the readers' own accuracies; ``timeout_share``
    the share of readings that reach the 45 s limit; ``follow_wrong_hint`` the chance that a
    reader answers the hint's top class, wrong or right.
    """
    timed_behaviour, hint_behaviour, limit = phase_behaviours(
        accuracy_without=accuracy_without,
        accuracy_with=accuracy_with,
        ai_accuracy=ai_accuracy,
        reader_sd=reader_sd,
        timeout_share=timeout_share,
        follow_wrong_hint=follow_wrong_hint,
    )
    rng = np.random.default_rng(seed)
    k = len(DIAGNOSES)
    parts = []
    start = pd.Timestamp("2020-03-02 10:00", tz="UTC")
    years = rng.integers(1, 35, n_readers)
    reader_names = np.array([f"R{i + 1:03d}" for i in range(n_readers)], dtype=object)
    for phase_no, (kind, behaviour) in enumerate(
        ((F.TIMED, timed_behaviour), (F.HINT, hint_behaviour))
    ):
        truth = rng.choice(k, size=n_cases, p=CLASS_SHARES)
        # The AI is right on exactly its share of the cases (which ones is drawn), so that the
        # effect of following it is the one asked for on these cases, not one drawn around it.
        ai_right = rng.permutation(n_cases) < round(ai_accuracy * n_cases)
        ai_top = np.where(ai_right, truth, (truth + rng.integers(1, k, n_cases)) % k)
        ai_p = _probabilities(rng, ai_top)
        accuracy = readers_accuracy(behaviour=behaviour, n=n_readers, rng=rng)
        r = np.repeat(np.arange(n_readers), n_cases)
        c = np.tile(np.arange(n_cases), n_readers)
        answers = answer_cases(
            truth=truth[c],
            hint_top=ai_top[c] if kind == F.HINT else None,
            accuracy=accuracy[r],
            behaviour=behaviour,
            rng=rng,
        )
        timeout = timed_out(seconds=answers.seconds, limit_seconds=limit)
        seconds = np.where(timeout, float(limit or 0), answers.seconds)
        elapsed = np.round(seconds * 1000).astype(np.int64)
        served = start + pd.to_timedelta(phase_no * 3600 + c * 60 + r, unit="s")
        codes = np.array(DIAGNOSES, dtype=object)
        answer = codes[answers.diagnosis]
        answer[timeout] = None  # a timeout has no answer
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
                F.TRUTH: codes[truth[c]],
                F.ANSWER: answer,
                F.OUTCOME: np.where(timeout, F.TIMED_OUT, F.ANSWERED),
                F.SERVED_AT: served,
                F.ANSWERED_AT: served + pd.to_timedelta(elapsed, unit="ms"),
                F.ELAPSED_MS: elapsed,
                F.HINT_TOP: codes[ai_top[c]] if kind == F.HINT else None,
                F.AI_TOP: codes[ai_top[c]],
            }
        )
        for i, code in enumerate(DIAGNOSES):
            part[F.AI_PREFIX + code] = ai_p[c, i]
            part[F.HINT_PREFIX + code] = ai_p[c, i] if kind == F.HINT else np.nan
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
