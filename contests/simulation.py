"""How a simulated reader answers: plain Python, no Django.

A simulated reader has an accuracy of their own, drawn around the study's mean so that readers
differ as real ones do (the analysis needs reader-to-reader variance), a habit of following the
AI's top class in hint phases, and a time per case drawn from a gamma distribution (always
positive, skewed to the right like real reading times). The caller turns the seconds into
server times and lets the contest services decide what is an answer and what is a timeout.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from lesions.codes import DIAGNOSES

# How tightly readers' accuracies cluster around the mean: Beta(mean*k, (1-mean)*k).
# k = 40 gives a spread of about +-7 points at 28% mean, close to the paper's contest 1 spread.
ACCURACY_CONCENTRATION = 40.0
# Gamma shape for the time per case: 2 gives a mode at half the mean and a long right tail.
TIME_SHAPE = 2.0


@dataclass(frozen=True)
class Behaviour:
    """What the researcher asks of the simulated readers of one phase."""

    accuracy: float = 0.28
    ai_follow: float = 0.6
    seconds_mean: float = 20.0

    def __post_init__(self) -> None:
        for name in ("accuracy", "ai_follow"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if self.seconds_mean <= 0:
            raise ValueError(f"seconds_mean must be positive, not {self.seconds_mean}")


@dataclass(frozen=True)
class SimulatedAnswer:
    diagnosis: str
    seconds: float
    followed_hint: bool


def reader_accuracy(*, behaviour: Behaviour, rng: random.Random) -> float:
    """One reader's own accuracy, drawn around the phase's mean."""
    mean = behaviour.accuracy
    if mean in (0.0, 1.0):
        return mean
    k = ACCURACY_CONCENTRATION
    return rng.betavariate(mean * k, (1.0 - mean) * k)


def answer_case(
    *,
    truth: str,
    hint_top: str | None,
    accuracy: float,
    behaviour: Behaviour,
    rng: random.Random,
    choices: Sequence[str] = DIAGNOSES,
) -> SimulatedAnswer:
    """The answer and the seconds a reader takes on one case.

    With a hint, the reader takes its top class with probability ``ai_follow``; otherwise (and
    without a hint) they are right with probability ``accuracy`` and otherwise pick one of the
    wrong classes at random.
    """
    if truth not in choices:
        raise ValueError(f"unknown diagnosis {truth!r}")
    seconds = rng.gammavariate(TIME_SHAPE, behaviour.seconds_mean / TIME_SHAPE)
    if hint_top is not None and rng.random() < behaviour.ai_follow:
        return SimulatedAnswer(diagnosis=hint_top, seconds=seconds, followed_hint=True)
    if rng.random() < accuracy:
        return SimulatedAnswer(diagnosis=truth, seconds=seconds, followed_hint=False)
    wrong = [code for code in choices if code != truth]
    return SimulatedAnswer(diagnosis=rng.choice(wrong), seconds=seconds, followed_hint=False)
