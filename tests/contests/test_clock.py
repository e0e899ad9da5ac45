"""The contest's clock and case order on their own (plain Python, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contests.clock import case_order, deadline_for, elapsed_ms, seconds_left

T0 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)


def test_the_deadline_is_served_at_plus_limit_plus_grace_and_none_when_untimed() -> None:
    assert deadline_for(served_at=T0, limit_seconds=45, grace_seconds=2.0) == T0 + timedelta(
        seconds=47
    )
    assert deadline_for(served_at=T0, limit_seconds=None, grace_seconds=2.0) is None


def test_elapsed_time_is_in_whole_milliseconds_and_never_negative() -> None:
    assert elapsed_ms(start=T0, end=T0 + timedelta(seconds=1.2345)) == 1234
    assert elapsed_ms(start=T0, end=T0 - timedelta(seconds=1)) == 0


def test_a_shuffled_order_depends_only_on_the_seed_and_the_phase() -> None:
    ids = list(range(1, 31))
    first = case_order(case_ids=ids, seed=7, phase_id=3, shuffled=True)
    assert first == case_order(case_ids=ids, seed=7, phase_id=3, shuffled=True)
    assert sorted(first) == ids
    assert first != case_order(case_ids=ids, seed=8, phase_id=3, shuffled=True)
    assert first != case_order(case_ids=ids, seed=7, phase_id=4, shuffled=True)
    assert case_order(case_ids=ids, seed=7, phase_id=3, shuffled=False) == ids


def test_the_seconds_left_stop_at_zero_and_are_none_without_a_deadline() -> None:
    assert seconds_left(now=T0, until=T0 + timedelta(seconds=30)) == 30.0
    assert seconds_left(now=T0 + timedelta(seconds=31), until=T0 + timedelta(seconds=30)) == 0.0
    assert seconds_left(now=T0, until=None) is None
