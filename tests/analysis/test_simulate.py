"""The simulated study: the contests' reader model, set to the accuracies asked for."""

from __future__ import annotations

import pytest

from analysis import frames as F
from analysis import simulate


def test_the_readers_reach_the_accuracies_and_the_timeouts_asked_for() -> None:
    frame = simulate.simulate_study(
        n_readers=200, n_cases=100, accuracy_without=0.30, accuracy_with=0.45, seed=11
    )
    right = frame[F.ANSWER] == frame[F.TRUTH]
    by_kind = right.groupby(frame[F.PHASE_KIND]).mean()
    assert by_kind[F.TIMED] == pytest.approx(0.30, abs=0.01)
    assert by_kind[F.HINT] == pytest.approx(0.45, abs=0.01)
    timed_out = frame[F.OUTCOME] == F.TIMED_OUT
    assert timed_out.mean() == pytest.approx(0.1, abs=0.01)
    assert frame.loc[timed_out, F.ANSWER].isna().all()
    assert set(frame.loc[timed_out, F.ELAPSED_MS]) == {45_000}
    assert frame.loc[~timed_out, F.ELAPSED_MS].max() < 45_000
    # The AI is right on its share of each phase's cases.
    cases = frame.drop_duplicates(F.CASE)
    assert (cases[F.AI_TOP] == cases[F.TRUTH]).mean() == pytest.approx(0.77, abs=0.01)


def test_the_hint_phase_follows_the_ai_as_often_as_asked() -> None:
    frame = simulate.simulate_study(
        n_readers=200, n_cases=100, follow_wrong_hint=0.4, timeout_share=0.05, seed=12
    )
    hinted = frame[(frame[F.PHASE_KIND] == F.HINT) & (frame[F.OUTCOME] == F.ANSWERED)]
    wrong_hint = hinted[hinted[F.HINT_TOP] != hinted[F.TRUTH]]
    took_it = (wrong_hint[F.ANSWER] == wrong_hint[F.HINT_TOP]).mean()
    # 40% follow; of the others, who are wrong there about 6 times in 10, one in six picks it.
    assert took_it == pytest.approx(0.4, abs=0.1)
    assert took_it > 0.4


def test_readers_differ_by_the_spread_asked_for() -> None:
    frame = simulate.simulate_study(
        n_readers=400, n_cases=400, reader_sd=0.08, timeout_share=0.0, seed=13
    )
    timed = frame[frame[F.PHASE_KIND] == F.TIMED]
    per_reader = (timed[F.ANSWER] == timed[F.TRUTH]).groupby(timed[F.READER]).mean()
    # Each reader's accuracy over 400 cases adds a binomial spread to their own.
    binomial = (0.3 * 0.7 / 400) ** 0.5
    assert per_reader.std() == pytest.approx((0.08**2 + binomial**2) ** 0.5, rel=0.1)
    assert not (timed[F.OUTCOME] == F.TIMED_OUT).any()


def test_accuracies_the_model_cannot_reach_are_refused() -> None:
    # Half the readers follow an AI that is right 77% of the time: at least 38.5% are right.
    with pytest.raises(ValueError, match="accuracy_with cannot be reached"):
        simulate.simulate_study(accuracy_with=0.30, timeout_share=0.0)
    with pytest.raises(ValueError, match="timeout_share"):
        simulate.simulate_study(timeout_share=1.0)
