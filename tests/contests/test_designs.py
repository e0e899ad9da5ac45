"""The study designs' plain rules: blocked randomisation, who reads what, in which order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contests import designs


def test_every_block_holds_as_many_readers_of_each_arm() -> None:
    arms = [designs.arm_for(seed=7, stream="real", index=i, size=4) for i in range(40)]
    for start in range(0, 40, 4):
        assert sorted(arms[start : start + 4]) == [0, 0, 1, 1]
    assert arms.count(0) == arms.count(1) == 20
    # Not the same pattern in every block: the order within a block is drawn.
    assert len({tuple(arms[i : i + 4]) for i in range(0, 40, 4)}) > 1


def test_the_assignment_is_rebuilt_exactly_from_the_stored_seed() -> None:
    first = [designs.arm_for(seed=11, stream="real", index=i, size=6) for i in range(18)]
    again = [designs.arm_for(seed=11, stream="real", index=i, size=6) for i in range(18)]
    other = [designs.arm_for(seed=12, stream="real", index=i, size=6) for i in range(18)]
    assert first == again
    assert first != other


def test_blocks_must_hold_an_even_number_of_readers() -> None:
    with pytest.raises(ValueError, match="even number"):
        designs.block_arms(seed=1, stream="real", block=0, size=3)


def test_a_crossover_swaps_the_sessions_for_arm_one_only() -> None:
    assert designs.paired_phase_order(arm=0, design=designs.CROSSOVER) == (0, 1)
    assert designs.paired_phase_order(arm=1, design=designs.CROSSOVER) == (1, 0)
    assert designs.paired_phase_order(arm=1, design=designs.COUNTERBALANCED) == (0, 1)
    assert designs.session_of(design=designs.CROSSOVER, is_second_paired=True) == 2
    assert designs.session_of(design=designs.COUNTERBALANCED, is_second_paired=True) == 1


def test_counterbalanced_arms_read_the_two_image_sets_the_other_way_round() -> None:
    read = {
        arm: [
            designs.image_set_for(arm=arm, design=designs.COUNTERBALANCED, second=second)
            for second in (False, True)
        ]
        for arm in (0, 1)
    }
    assert read == {0: ["A", "B"], 1: ["B", "A"]}
    assert designs.image_set_for(arm=1, design=designs.CROSSOVER, second=True) == ""


def test_the_washout_counts_from_the_end_of_the_first_session() -> None:
    done = datetime(2025, 3, 1, 10, 30, tzinfo=UTC)
    assert designs.washout_ends(finished_at=done, days=28) == datetime(
        2025, 3, 29, 10, 30, tzinfo=UTC
    )
    assert designs.sequence_label(arm=1, design=designs.CROSSOVER) == "with AI, then without AI"
    assert designs.sequence_label(arm=None, design=designs.CROSSOVER) == ""
