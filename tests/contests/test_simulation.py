"""The simulated reader model, on its own (no database): case by case and a study at once."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from contests.simulation import (
    Behaviour,
    answer_case,
    answer_cases,
    concentration_for_spread,
    reader_accuracy,
    readers_accuracy,
    seconds_mean_for_timeouts,
    timed_out,
)
from lesions.codes import DIAGNOSES


def _answers(behaviour: Behaviour, *, hint_top: str | None, n: int = 4000, seed: int = 1) -> list:
    rng = random.Random(seed)
    return [
        answer_case(
            truth="mel",
            hint_top=hint_top,
            accuracy=behaviour.accuracy,
            behaviour=behaviour,
            rng=rng,
        )
        for _ in range(n)
    ]


def test_readers_without_a_hint_are_right_about_as_often_as_asked() -> None:
    answers = _answers(Behaviour(accuracy=0.28), hint_top=None)
    share = sum(a.diagnosis == "mel" for a in answers) / len(answers)
    assert share == pytest.approx(0.28, abs=0.03)
    assert not any(a.followed_hint for a in answers)


def test_wrong_answers_are_spread_over_the_six_other_classes() -> None:
    answers = _answers(Behaviour(accuracy=0.0), hint_top=None)
    assert {a.diagnosis for a in answers} == {"akiec", "bcc", "bkl", "df", "nv", "vasc"}


def test_readers_follow_the_hint_with_the_given_probability() -> None:
    answers = _answers(Behaviour(accuracy=0.0, ai_follow=0.6), hint_top="nv")
    share = sum(a.diagnosis == "nv" for a in answers) / len(answers)
    # 60% follow; of the other 40%, who are never right, one in six picks nv by chance.
    assert share == pytest.approx(0.6 + 0.4 / 6, abs=0.03)
    assert sum(a.followed_hint for a in answers) / len(answers) == pytest.approx(0.6, abs=0.03)


def test_time_per_case_is_positive_with_the_given_mean() -> None:
    answers = _answers(Behaviour(seconds_mean=20.0), hint_top=None)
    assert min(a.seconds for a in answers) > 0
    assert sum(a.seconds for a in answers) / len(answers) == pytest.approx(20.0, rel=0.05)


def test_the_same_seed_gives_the_same_answers() -> None:
    assert _answers(Behaviour(), hint_top="bcc", n=50, seed=7) == _answers(
        Behaviour(), hint_top="bcc", n=50, seed=7
    )


def test_readers_differ_in_accuracy_around_the_mean() -> None:
    rng = random.Random(3)
    accuracies = [reader_accuracy(behaviour=Behaviour(accuracy=0.28), rng=rng) for _ in range(500)]
    assert sum(accuracies) / len(accuracies) == pytest.approx(0.28, abs=0.02)
    assert max(accuracies) - min(accuracies) > 0.1


@pytest.mark.parametrize("kwargs", [{"accuracy": 1.5}, {"ai_follow": -0.1}, {"seconds_mean": 0.0}])
def test_it_refuses_impossible_behaviour(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        Behaviour(**kwargs)


def test_a_concentration_of_infinity_gives_every_reader_the_mean() -> None:
    behaviour = Behaviour(accuracy=0.3, concentration=math.inf)
    assert reader_accuracy(behaviour=behaviour, rng=random.Random(1)) == 0.3
    many = readers_accuracy(behaviour=behaviour, n=5, rng=np.random.default_rng(1))
    assert many.tolist() == [0.3] * 5


def test_the_concentration_for_a_spread_gives_readers_that_spread() -> None:
    k = concentration_for_spread(mean=0.3, sd=0.05)
    accuracies = readers_accuracy(
        behaviour=Behaviour(accuracy=0.3, concentration=k), n=20_000, rng=np.random.default_rng(2)
    )
    assert accuracies.mean() == pytest.approx(0.3, abs=0.002)
    assert accuracies.std() == pytest.approx(0.05, rel=0.03)
    assert concentration_for_spread(mean=0.3, sd=0.0) == math.inf
    with pytest.raises(ValueError, match="too wide"):
        concentration_for_spread(mean=0.3, sd=0.5)


def test_the_mean_time_for_a_share_of_timeouts_gives_that_share() -> None:
    seconds_mean = seconds_mean_for_timeouts(limit_seconds=45, share=0.18)
    rng = random.Random(4)
    behaviour = Behaviour(seconds_mean=seconds_mean)
    answers = [
        answer_case(truth="nv", hint_top=None, accuracy=0.5, behaviour=behaviour, rng=rng)
        for _ in range(20_000)
    ]
    share = sum(a.seconds >= 45 for a in answers) / len(answers)
    assert share == pytest.approx(0.18, abs=0.01)
    # Back from the gamma's own tail: the demo's timed readers (28 s on average) at 45 s.
    u = 45 / (28 / 2)
    assert seconds_mean_for_timeouts(limit_seconds=45, share=(1 + u) * math.exp(-u)) == (
        pytest.approx(28)
    )


def test_a_whole_study_drawn_at_once_follows_the_same_model_as_one_case_at_a_time() -> None:
    """The vectorised draws (the analysis's) and the case-by-case ones (the services') agree."""
    behaviour = Behaviour(accuracy=0.3, ai_follow=0.4, seconds_mean=20.0)
    n, truth, hint = 20_000, DIAGNOSES.index("mel"), DIAGNOSES.index("nv")
    rng = np.random.default_rng(5)
    accuracy = readers_accuracy(behaviour=behaviour, n=n, rng=rng)
    many = answer_cases(
        truth=np.full(n, truth),
        hint_top=np.full(n, hint),
        accuracy=accuracy,
        behaviour=behaviour,
        rng=rng,
    )
    scalar_rng = random.Random(5)
    one_by_one = [
        answer_case(
            truth="mel",
            hint_top="nv",
            accuracy=reader_accuracy(behaviour=behaviour, rng=scalar_rng),
            behaviour=behaviour,
            rng=scalar_rng,
        )
        for _ in range(n)
    ]
    assert accuracy.mean() == pytest.approx(0.3, abs=0.005)
    for share_many, share_one in [
        ((many.diagnosis == truth).mean(), sum(a.diagnosis == "mel" for a in one_by_one) / n),
        ((many.diagnosis == hint).mean(), sum(a.diagnosis == "nv" for a in one_by_one) / n),
        (many.followed_hint.mean(), sum(a.followed_hint for a in one_by_one) / n),
    ]:
        assert share_many == pytest.approx(share_one, abs=0.015)
    # 40% follow the hint; the other 60% are right 30% of the time.
    assert (many.diagnosis == truth).mean() == pytest.approx(0.6 * 0.3, abs=0.01)
    assert many.seconds.mean() == pytest.approx(sum(a.seconds for a in one_by_one) / n, rel=0.03)
    assert set(np.unique(many.diagnosis)) == set(range(len(DIAGNOSES)))


def test_without_a_hint_nobody_follows_one_and_the_countdown_closes_slow_cases() -> None:
    rng = np.random.default_rng(6)
    many = answer_cases(
        truth=np.zeros(1000, dtype=np.int64),
        hint_top=None,
        accuracy=np.full(1000, 0.5),
        behaviour=Behaviour(seconds_mean=45.0),
        rng=rng,
    )
    assert not many.followed_hint.any()
    closed = timed_out(seconds=many.seconds, limit_seconds=45)
    assert closed.tolist() == (many.seconds >= 45).tolist()
    assert 0 < closed.sum() < 1000
    assert not timed_out(seconds=many.seconds, limit_seconds=None).any()
