"""The two-period crossover: the AI's effect with the period and sequence effects (no Django).

In a crossover each reader reads the same cases in two periods, without and with the AI, in one
of two sequences (without first, or with the AI first). From each reader's figure in each period
(accuracy, say), the analysis of Hills & Armitage (1979) estimates, by two-sample t tests
between the sequences:

- the AI's effect (with minus without), from the per-reader period differences d = (P1 - P2)/2:
  mean d (AI first) - mean d (AI second);
- the period effect (period 2 minus period 1): -(mean d (AI second) + mean d (AI first));
- the carry-over, from the per-reader sums P1 + P2: mean sum (AI first) - mean sum (AI second),
  which estimates the AI's carry-over into the later period minus that of reading without it.
  It is the sequence (reader group) effect, and the period-by-modality interaction; the test
  has little power and is conventionally read at the 10% level (Grizzle 1965).

References: Hills M, Armitage P (1979) The two-period cross-over clinical trial. Br J Clin
Pharmacol 8:7-20. Grizzle JE (1965) The two-period change-over design and its use in clinical
trials. Biometrics 21:467-480. Jones B, Kenward MG (2014) Design and Analysis of Cross-Over
Trials, 3rd ed., Chapman & Hall/CRC, chapter 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

ALPHA = 0.05


@dataclass(frozen=True)
class Effect:
    name: str
    estimate: float
    se: float
    df: float
    ci_low: float
    ci_high: float
    p: float


@dataclass(frozen=True)
class CrossoverAnalysis:
    figure: str
    readers_first_without: int
    readers_first_with: int
    ai: Effect
    period: Effect
    carryover: Effect
    cells: pd.DataFrame  # mean figure per sequence and period, with the modality read


def _effect(name: str, first: np.ndarray, second: np.ndarray) -> Effect:
    """mean(first) - mean(second), with the pooled two-sample t interval and p."""
    n1, n2 = len(first), len(second)
    df = n1 + n2 - 2
    nan = float("nan")
    estimate = float(np.mean(first) - np.mean(second))
    if df < 1:
        return Effect(name, estimate, nan, float(df), nan, nan, nan)
    pooled = (np.sum((first - first.mean()) ** 2) + np.sum((second - second.mean()) ** 2)) / df
    se = float(np.sqrt(pooled * (1 / n1 + 1 / n2)))
    half = float(sps.t.ppf(1 - ALPHA / 2, df)) * se
    p = 2 * float(sps.t.sf(abs(estimate) / se, df)) if se > 0 else nan
    return Effect(name, estimate, se, float(df), estimate - half, estimate + half, p)


def crossover_analysis(per_reader: pd.DataFrame, figure: str) -> CrossoverAnalysis | None:
    """From one row per reader and period (``reader, period, with_ai, value``): None unless both
    sequences have readers and there are at least three readers."""
    wide = per_reader.pivot_table(index="reader", columns="period", values="value")
    first_ai = per_reader[per_reader["period"] == 1].set_index("reader")["with_ai"]
    wide = wide.dropna()
    if list(wide.columns) != [1, 2]:
        return None
    ai_first = first_ai.reindex(wide.index).astype(bool).to_numpy()
    p1, p2 = wide[1].to_numpy(dtype=float), wide[2].to_numpy(dtype=float)
    d, total = (p1 - p2) / 2, p1 + p2
    n_with, n_without = int(ai_first.sum()), int((~ai_first).sum())
    if n_with < 1 or n_without < 1 or n_with + n_without < 3:
        return None
    ai = _effect("AI (with - without)", d[ai_first], d[~ai_first])
    # Period 2 - period 1 = -(mean d(AI first) + mean d(AI second)): a difference of means once
    # the second group's sign is turned.
    period = _effect("period (2 - 1)", -d[ai_first], d[~ai_first])
    carryover = _effect(
        "carry-over (AI first - AI second, sums of both periods)",
        total[ai_first],
        total[~ai_first],
    )
    rows = per_reader[per_reader["reader"].isin(wide.index)].copy()
    rows["sequence"] = np.where(
        first_ai.reindex(rows["reader"]).astype(bool).to_numpy(),
        "with AI, then without AI",
        "without AI, then with AI",
    )
    cells = (
        rows.groupby(["sequence", "period"])
        .agg(with_ai=("with_ai", "first"), readers=("reader", "nunique"), mean=("value", "mean"))
        .reset_index()
    )
    return CrossoverAnalysis(figure, n_without, n_with, ai, period, carryover, cells)
