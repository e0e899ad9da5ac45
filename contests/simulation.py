"""How a simulated reader answers: the project's one reader model, in plain Python (no Django).

A simulated reader has an accuracy of their own, drawn around the phase's mean from a Beta
distribution so that readers differ as real ones do (the analysis needs reader-to-reader
variance); a habit of following the AI's top class in hint phases; and a time per case drawn
from a gamma distribution (always positive, skewed to the right like real reading times). In a
timed phase a case the reader would take the limit or longer on is timed out by the page's
countdown.

The rule for one case: with a hint, the reader answers its top class with probability
``ai_follow``; otherwise (and without a hint) they are right with their own accuracy, and else
pick one of the wrong classes at random.

The model is drawn two ways from the same parameters and the same rule:

- case by case with ``random.Random`` (``reader_accuracy``, ``answer_case``): the contest
  services' simulated readers, who take phases one reading at a time like real GPs;
- a whole study at once with numpy (``readers_accuracy``, ``answer_cases``): the analysis's
  simulated readings tables, for tests and benchmarks at scale.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lesions.codes import DIAGNOSES

# How tightly readers' accuracies cluster around the mean: Beta(mean*k, (1-mean)*k).
# k = 40 gives a spread of about +-7 points at 28% mean, close to the paper's contest 1 spread.
ACCURACY_CONCENTRATION = 40.0
# Gamma shape for the time per case: 2 gives a mode at half the mean and a long right tail.
TIME_SHAPE = 2.0


@dataclass(frozen=True)
class Behaviour:
    """What the researcher asks of the simulated readers of one phase.

    ``concentration`` is k of the readers' Beta(accuracy*k, (1-accuracy)*k): larger, closer
    together; ``math.inf``, every reader exactly at ``accuracy``.
    """

    accuracy: float = 0.28
    ai_follow: float = 0.6
    seconds_mean: float = 20.0
    concentration: float = ACCURACY_CONCENTRATION

    def __post_init__(self) -> None:
        for name in ("accuracy", "ai_follow"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if self.seconds_mean <= 0:
            raise ValueError(f"seconds_mean must be positive, not {self.seconds_mean}")
        if not self.concentration > 0:
            raise ValueError(f"concentration must be positive, not {self.concentration}")


@dataclass(frozen=True)
class SimulatedAnswer:
    diagnosis: str
    seconds: float
    followed_hint: bool


@dataclass(frozen=True)
class SimulatedAnswers:
    """Many readings at once: answers as indices into the choices, seconds, hint followed."""

    diagnosis: NDArray[np.int64]
    seconds: NDArray[np.float64]
    followed_hint: NDArray[np.bool_]


def accuracy_beta(*, behaviour: Behaviour) -> tuple[float, float] | None:
    """The Beta parameters of the readers' own accuracies; None when they all have the mean."""
    mean, k = behaviour.accuracy, behaviour.concentration
    if mean in (0.0, 1.0) or math.isinf(k):
        return None
    return mean * k, (1.0 - mean) * k


def concentration_for_spread(*, mean: float, sd: float) -> float:
    """The concentration at which readers' accuracies around ``mean`` have standard deviation
    ``sd`` (a Beta's variance is mean*(1-mean)/(k+1)); ``math.inf`` for no spread at all."""
    if sd < 0:
        raise ValueError(f"the spread cannot be negative, not {sd}")
    if sd == 0 or mean in (0.0, 1.0):
        return math.inf
    if sd**2 >= mean * (1.0 - mean):
        raise ValueError(f"a spread of {sd} is too wide for readers around {mean}")
    return mean * (1.0 - mean) / sd**2 - 1.0


def time_gamma(*, behaviour: Behaviour) -> tuple[float, float]:
    """(shape, scale) of the seconds a reader takes on a case: their mean is ``seconds_mean``."""
    return TIME_SHAPE, behaviour.seconds_mean / TIME_SHAPE


def seconds_mean_for_timeouts(*, limit_seconds: float, share: float) -> float:
    """The mean time per case at which a ``share`` of the cases reach ``limit_seconds``."""
    if not 0.0 < share < 1.0:
        raise ValueError(f"the share of timeouts must be between 0 and 1, not {share}")
    # Imported here: only the study-wide simulation calibrates times, and scipy is slow to load.
    from scipy.special import gammainccinv

    # The gamma's upper tail beyond limit/scale is ``share``; the mean is shape * scale.
    limit_in_scales = float(gammainccinv(TIME_SHAPE, share))
    return TIME_SHAPE * limit_seconds / limit_in_scales


def reader_accuracy(*, behaviour: Behaviour, rng: random.Random) -> float:
    """One reader's own accuracy, drawn around the phase's mean."""
    beta = accuracy_beta(behaviour=behaviour)
    if beta is None:
        return behaviour.accuracy
    return rng.betavariate(*beta)


def answer_case(
    *,
    truth: str,
    hint_top: str | None,
    accuracy: float,
    behaviour: Behaviour,
    rng: random.Random,
    choices: Sequence[str] = DIAGNOSES,
) -> SimulatedAnswer:
    """The answer and the seconds a reader takes on one case (the rule in the module's doc)."""
    if truth not in choices:
        raise ValueError(f"unknown diagnosis {truth!r}")
    seconds = rng.gammavariate(*time_gamma(behaviour=behaviour))
    if hint_top is not None and rng.random() < behaviour.ai_follow:
        return SimulatedAnswer(diagnosis=hint_top, seconds=seconds, followed_hint=True)
    if rng.random() < accuracy:
        return SimulatedAnswer(diagnosis=truth, seconds=seconds, followed_hint=False)
    wrong = [code for code in choices if code != truth]
    return SimulatedAnswer(diagnosis=rng.choice(wrong), seconds=seconds, followed_hint=False)


def readers_accuracy(
    *, behaviour: Behaviour, n: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``n`` readers' own accuracies at once: ``reader_accuracy``, vectorised."""
    beta = accuracy_beta(behaviour=behaviour)
    if beta is None:
        return np.full(n, behaviour.accuracy)
    return rng.beta(*beta, size=n)


def answer_cases(
    *,
    truth: NDArray[np.int64],
    hint_top: NDArray[np.int64] | None,
    accuracy: NDArray[np.float64],
    behaviour: Behaviour,
    rng: np.random.Generator,
    n_choices: int = len(DIAGNOSES),
) -> SimulatedAnswers:
    """Many readings at once: ``answer_case``, vectorised over class indices.

    ``truth``, ``hint_top`` and ``accuracy`` hold one entry per reading (a reader's accuracy
    repeated over their cases); ``hint_top`` is None in a phase without hints.
    """
    n = len(truth)
    seconds = rng.gamma(*time_gamma(behaviour=behaviour), size=n)
    if hint_top is None:
        followed = np.zeros(n, dtype=np.bool_)
        hinted = truth
    else:
        followed = rng.random(n) < behaviour.ai_follow
        hinted = hint_top
    right = rng.random(n) < accuracy
    wrong = (truth + rng.integers(1, n_choices, size=n)) % n_choices
    diagnosis = np.where(followed, hinted, np.where(right, truth, wrong)).astype(np.int64)
    return SimulatedAnswers(diagnosis=diagnosis, seconds=seconds, followed_hint=followed)


def timed_out(*, seconds: NDArray[np.float64], limit_seconds: float | None) -> NDArray[np.bool_]:
    """The readings the page's countdown closes: those the reader would take the limit or more
    on (``phases_simulate_readers`` applies the same rule one case at a time)."""
    if limit_seconds is None:
        return np.zeros(len(seconds), dtype=np.bool_)
    return seconds >= limit_seconds
