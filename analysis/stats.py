"""Comparisons between phases of a study (numpy/pandas/scipy, no Django).

- ``paired_comparison``: per-reader values without vs with the hint: Wilcoxon signed-rank,
  paired t and a bootstrap interval of the mean difference (scipy.stats.bootstrap).
- ``tpr_change``: per-class TPR without vs with the hint (the paper's supplementary tables 5/6).
- ``ai_follow``: how often readers answered the hint's top class when the hint was right and
  when it was wrong, against how often they agreed with the same model's prediction in the
  phase without a hint (what agreeing by chance or by shared mistakes looks like).
- ``timing``: time per case and timeouts, per phase and per reader.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from analysis import frames as F
from analysis.metrics import Metrics
from lesions.codes import DIAGNOSES

# Above this many readers the BCa jackknife (n^2 work) is swapped for the percentile interval
# with at most 2,000 resamples: at that size both are as good and BCa would take the seconds.
BCA_LIMIT = 5000
LARGE_RESAMPLES = 2000


@dataclass(frozen=True)
class PairedComparison:
    n: int
    mean_first: float
    mean_second: float
    mean_difference: float  # second - first
    ci_low: float
    ci_high: float
    ci_method: str
    wilcoxon_statistic: float
    wilcoxon_p: float
    t_statistic: float
    t_p: float


def paired_comparison(
    first: np.ndarray | pd.Series,
    second: np.ndarray | pd.Series,
    *,
    n_resamples: int = 9999,
    seed: int = 0,
) -> PairedComparison:
    """Per-reader pairs (same order in both): tests and a 95% bootstrap CI of the difference."""
    a = np.asarray(first, dtype=float)
    b = np.asarray(second, dtype=float)
    if a.shape != b.shape:
        raise ValueError("paired values must come in pairs (same readers on both sides)")
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = len(a)
    if n < 2:
        raise ValueError("a paired comparison needs at least two readers in both phases")
    diff = b - a
    nan = float("nan")
    if np.all(diff == diff[0]):
        # No spread: every test is degenerate, the interval is the one value.
        return PairedComparison(
            n, float(a.mean()), float(b.mean()), float(diff[0]), float(diff[0]), float(diff[0]),
            "none (no spread)", nan, nan, nan, nan,
        )  # fmt: skip
    wil = sps.wilcoxon(b, a)
    t = sps.ttest_rel(b, a)
    method = "BCa" if n <= BCA_LIMIT else "percentile"
    if n > BCA_LIMIT:
        n_resamples = min(n_resamples, LARGE_RESAMPLES)
    boot = sps.bootstrap(
        (diff,),
        np.mean,
        n_resamples=n_resamples,
        confidence_level=0.95,
        method=method,
        rng=np.random.default_rng(seed),
        vectorized=True,
    )
    return PairedComparison(
        n=n,
        mean_first=float(a.mean()),
        mean_second=float(b.mean()),
        mean_difference=float(diff.mean()),
        ci_low=float(boot.confidence_interval.low),
        ci_high=float(boot.confidence_interval.high),
        ci_method=f"bootstrap {method}, {n_resamples} resamples",
        wilcoxon_statistic=float(wil.statistic),
        wilcoxon_p=float(wil.pvalue),
        t_statistic=float(t.statistic),
        t_p=float(t.pvalue),
    )


def tpr_change(without: Metrics, with_hint: Metrics) -> pd.DataFrame:
    """Per class: pooled TPR without and with the hint, and the change (supp. tables 5/6)."""
    return pd.DataFrame(
        {
            "diagnosis": list(DIAGNOSES),
            "n_without": without.support,
            "tpr_without": without.tpr,
            "n_with": with_hint.support,
            "tpr_with": with_hint.tpr,
            "tpr_change": with_hint.tpr - without.tpr,
            "tnr_without": without.tnr,
            "tnr_with": with_hint.tnr,
        }
    )


def _agreement(frame: pd.DataFrame, model_column: str) -> pd.DataFrame:
    """Per reader: share of answers equal to ``model_column`` when it was right / wrong."""
    model = F.code_index(frame[model_column])
    has_model = model != F.NO_ANSWER
    model_right = (model == F.code_index(frame[F.TRUTH])) & has_model
    model_wrong = has_model & ~model_right
    agree = (F.code_index(frame[F.ANSWER]) == model) & has_model
    parts = pd.DataFrame(
        {
            F.READER: frame[F.READER].array,
            "n_right": model_right,
            "agree_right": agree & model_right,
            "n_wrong": model_wrong,
            "agree_wrong": agree & model_wrong,
        }
    )
    sums = parts.groupby(F.READER, sort=True).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        sums["share_right"] = sums["agree_right"] / sums["n_right"].where(sums["n_right"] > 0)
        sums["share_wrong"] = sums["agree_wrong"] / sums["n_wrong"].where(sums["n_wrong"] > 0)
    return sums


def ai_follow(without: pd.DataFrame, with_hint: pd.DataFrame) -> pd.DataFrame:
    """Per reader, and a last row ``all`` pooled: following the hint vs agreeing unprompted.

    ``follow_*``: in the hint phase, answers equal to the hint's top class when the hint was
    right / wrong. ``baseline_*``: in the phase without hint, answers equal to the same model's
    prediction for those images when it was right / wrong.
    """
    hint = _agreement(with_hint, F.HINT_TOP)
    base = _agreement(without, F.AI_TOP)
    table = pd.DataFrame(
        {
            "n_hint_right": hint["n_right"],
            "follow_when_right": hint["share_right"],
            "n_hint_wrong": hint["n_wrong"],
            "follow_when_wrong": hint["share_wrong"],
            "n_model_right": base["n_right"],
            "baseline_when_right": base["share_right"],
            "n_model_wrong": base["n_wrong"],
            "baseline_when_wrong": base["share_wrong"],
        }
    )
    pooled_h = hint[["n_right", "agree_right", "n_wrong", "agree_wrong"]].sum()
    pooled_b = base[["n_right", "agree_right", "n_wrong", "agree_wrong"]].sum()

    def share(num: float, den: float) -> float:
        return float(num / den) if den else float("nan")

    table.loc["all"] = [
        pooled_h["n_right"],
        share(pooled_h["agree_right"], pooled_h["n_right"]),
        pooled_h["n_wrong"],
        share(pooled_h["agree_wrong"], pooled_h["n_wrong"]),
        pooled_b["n_right"],
        share(pooled_b["agree_right"], pooled_b["n_right"]),
        pooled_b["n_wrong"],
        share(pooled_b["agree_wrong"], pooled_b["n_wrong"]),
    ]
    table.index.name = F.READER
    return table


def timing(frame: pd.DataFrame, by: str = F.PHASE) -> pd.DataFrame:
    """Seconds per answered case (median, mean, 90th percentile) and timeouts, per ``by``."""
    timed_out = (frame[F.OUTCOME] == F.TIMED_OUT).to_numpy()
    seconds = frame[F.ELAPSED_MS].to_numpy(dtype=float) / 1000.0
    parts = pd.DataFrame(
        {
            by: frame[by].array,
            "seconds": np.where(timed_out, np.nan, seconds),
            "timed_out": timed_out,
        }
    )
    grouped = parts.groupby(by, sort=True)
    table = grouped["seconds"].agg(["median", "mean"])
    table.columns = ["median_seconds", "mean_seconds"]
    table["p90_seconds"] = grouped["seconds"].quantile(0.9)
    table["readings"] = grouped.size()
    table["timeouts"] = grouped["timed_out"].sum()
    table["timeout_rate"] = table["timeouts"] / table["readings"]
    return table
