"""The two-period crossover analysis (Hills & Armitage 1979) on readers with known effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import crossover


def _readers(ai: float, period: float, carry: float, n: int = 6, seed: int = 0) -> pd.DataFrame:
    """Reader j's figure: base_j + ai (with the AI) + period (in period 2) + carry (in period 2
    after a first period with the AI). Half the readers start without the AI."""
    rng = np.random.default_rng(seed)
    rows = []
    for j in range(2 * n):
        base = 0.3 + rng.normal(0, 0.05)
        ai_first = j >= n
        for p in (1, 2):
            with_ai = (p == 1) == ai_first
            value = base + ai * with_ai + period * (p == 2) + carry * (p == 2 and ai_first)
            rows.append({"reader": f"R{j}", "period": p, "with_ai": with_ai, "value": value})
    return pd.DataFrame(rows)


def test_the_ai_and_period_effects_are_recovered_exactly_without_carry_over() -> None:
    out = crossover.crossover_analysis(_readers(ai=0.12, period=0.03, carry=0.0), "accuracy")
    assert out is not None
    assert out.ai.estimate == pytest.approx(0.12)
    assert out.ai.se == pytest.approx(0.0, abs=1e-12)  # every reader gains exactly the same
    assert out.period.estimate == pytest.approx(0.03)
    assert (out.readers_first_without, out.readers_first_with) == (6, 6)
    assert out.ai.df == 10


def test_a_carry_over_shows_in_the_sums_of_both_periods() -> None:
    clean = crossover.crossover_analysis(_readers(0.1, 0.0, 0.0, n=20, seed=3), "accuracy")
    carried = crossover.crossover_analysis(_readers(0.1, 0.0, 0.15, n=20, seed=3), "accuracy")
    assert clean is not None
    assert carried is not None
    assert carried.carryover.estimate - clean.carryover.estimate == pytest.approx(0.15)
    assert carried.carryover.p < 0.05 < clean.carryover.p
    # The carry-over biases the AI's effect estimated from both periods.
    assert carried.ai.estimate != pytest.approx(0.1)


def test_the_cells_give_each_sequences_mean_per_period() -> None:
    out = crossover.crossover_analysis(_readers(0.1, 0.0, 0.0), "accuracy")
    assert out is not None
    cells = out.cells.set_index(["sequence", "period"])
    assert bool(cells.loc[("with AI, then without AI", 1), "with_ai"]) is True
    assert bool(cells.loc[("without AI, then with AI", 1), "with_ai"]) is False
    assert set(cells["readers"]) == {6}


def test_one_sequence_alone_is_no_crossover() -> None:
    rows = _readers(0.1, 0.0, 0.0)
    only_first = rows[rows["reader"].isin([f"R{j}" for j in range(6)])]
    assert crossover.crossover_analysis(only_first, "accuracy") is None
