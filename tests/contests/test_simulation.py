"""The simulated reader's behaviour, on its own (no database)."""

from __future__ import annotations

import random

import pytest

from contests.simulation import Behaviour, answer_case, reader_accuracy


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
