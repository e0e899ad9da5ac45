"""The paper's Tables 2 and 3 from classifier evaluations, and the tests between configurations.

Input: one row per evaluated run with ``architecture, resolution (low/high), use_clinical, fold,
accuracy, error_rate`` (fractions). Output: one row per architecture with, for each resolution,
the mean over folds of accuracy and error rate, their standard deviation and the number of folds.

Which test did the paper use? It prints Mann-Whitney U p-values computed from the eight
architecture means of its own tables. Run on those printed means
(tests/analysis/test_dnn_tables.py), scipy's ``mannwhitneyu`` with ``alternative="less"``
(one-sided: the second group is better), ``method="asymptotic"`` and the continuity correction
gives p = 0.0706 for low vs high without clinical data (printed 0.07) and p = 0.0202 for high
without vs with (printed 0.02). No choice of alternative or method reproduces the other two: low
without vs with clinical data gives 0.0178-0.0406 (printed 0.004) and low vs high with clinical
data 0.2002-0.4418 (printed 0.21).
Those comparisons set the same eight architectures side by side, so the samples are paired; the
unpaired U test throws that pairing away. The default here is therefore the Wilcoxon signed-rank
test over architectures (exact for n < 50), and Mann-Whitney is there to reproduce the paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

Alternative = Literal["two-sided", "less", "greater"]
REQUIRED = ("architecture", "resolution", "use_clinical", "accuracy", "error_rate")
RESOLUTIONS = ("low", "high")

# Display names of the timm models the paper used, in the paper's row order.
PAPER_NAMES: dict[str, str] = {
    "resnet34": "ResNet34",
    "resnet50": "ResNet50",
    "resnet101": "ResNet101",
    "seresnet50": "SEResNet50",
    "vgg16": "VGG16",
    "vgg19": "VGG19",
    "efficientnet_b5": "EfficientNetB5",
    "mobilenetv2_100": "MobileNet",
}


def _check(evaluations: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED if c not in evaluations.columns]
    if missing:
        raise ValueError(f"evaluations lack columns: {', '.join(missing)}")
    bad = set(evaluations["resolution"].unique()) - set(RESOLUTIONS)
    if bad:
        raise ValueError(f"unknown resolutions: {sorted(map(str, bad))}")


def _architecture_order(names: pd.Index) -> list[str]:
    known = [a for a in PAPER_NAMES if a in names]
    return known + sorted(a for a in names if a not in PAPER_NAMES)


def dnn_table(evaluations: pd.DataFrame, *, use_clinical: bool) -> pd.DataFrame:
    """Table 2 (``use_clinical=False``) or Table 3 (``True``): per architecture and resolution."""
    _check(evaluations)
    rows = evaluations[evaluations["use_clinical"].astype(bool) == use_clinical]
    grouped = rows.groupby(["architecture", "resolution"])[["accuracy", "error_rate"]]
    stats = grouped.agg(["mean", "std", "count"])
    stats.columns = [f"{metric}_{stat}" for metric, stat in stats.columns]
    wide = stats.unstack("resolution")
    wide.columns = [f"{resolution}_{name}" for name, resolution in wide.columns]
    ordered = [
        f"{resolution}_{name}"
        for resolution in RESOLUTIONS
        for name in (
            "accuracy_mean",
            "accuracy_std",
            "error_rate_mean",
            "error_rate_std",
            "accuracy_count",
        )
    ]
    wide = wide.reindex(columns=ordered)
    wide = wide.rename(columns=lambda c: c.replace("accuracy_count", "folds"))
    wide = wide.reindex(_architecture_order(wide.index))
    wide.insert(0, "name", [PAPER_NAMES.get(a, a) for a in wide.index])
    wide.index.name = "architecture"
    return wide


@dataclass(frozen=True)
class Comparison:
    test: str
    first: str
    second: str
    n_first: int
    n_second: int
    mean_first: float
    mean_second: float
    statistic: float
    p: float
    alternative: str
    method: str


def mann_whitney(
    first: np.ndarray | list[float],
    second: np.ndarray | list[float],
    *,
    alternative: Alternative = "two-sided",
    method: Literal["auto", "exact", "asymptotic"] = "auto",
    use_continuity: bool = True,
    names: tuple[str, str] = ("first", "second"),
) -> Comparison:
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    result = sps.mannwhitneyu(
        a, b, alternative=alternative, method=method, use_continuity=use_continuity
    )
    shown = method if method != "asymptotic" or use_continuity else "asymptotic, no continuity"
    return Comparison(
        "Mann-Whitney U",
        names[0],
        names[1],
        len(a),
        len(b),
        float(a.mean()),
        float(b.mean()),
        float(result.statistic),
        float(result.pvalue),
        alternative,
        shown,
    )


def wilcoxon_paired(
    first: np.ndarray | list[float],
    second: np.ndarray | list[float],
    *,
    alternative: Alternative = "two-sided",
    names: tuple[str, str] = ("first", "second"),
) -> Comparison:
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if len(a) != len(b):
        raise ValueError("a paired test needs the same architectures on both sides")
    result = sps.wilcoxon(a, b, alternative=alternative)
    return Comparison(
        "Wilcoxon signed-rank",
        names[0],
        names[1],
        len(a),
        len(b),
        float(a.mean()),
        float(b.mean()),
        float(result.statistic),
        float(result.pvalue),
        alternative,
        "exact" if len(a) < 50 else "asymptotic",
    )


def configuration_means(evaluations: pd.DataFrame) -> pd.DataFrame:
    """Mean accuracy over folds: rows architectures, columns (resolution, use_clinical)."""
    _check(evaluations)
    frame = evaluations.assign(use_clinical=evaluations["use_clinical"].astype(bool))
    means = frame.groupby(["architecture", "resolution", "use_clinical"])["accuracy"].mean()
    return means.unstack(["resolution", "use_clinical"])


def compare_configurations(
    evaluations: pd.DataFrame,
    first: tuple[str, bool],
    second: tuple[str, bool],
    *,
    test: Literal["wilcoxon", "mann-whitney"] = "wilcoxon",
    alternative: Alternative = "two-sided",
    method: Literal["auto", "exact", "asymptotic"] = "auto",
) -> Comparison:
    """Compare two configurations (resolution, clinical) over the architectures both have."""
    means = configuration_means(evaluations)
    for config in (first, second):
        if config not in means.columns:
            raise ValueError(f"no evaluations for resolution={config[0]!r} clinical={config[1]}")
    both = means[[first, second]].dropna()
    names = (_configuration_name(first), _configuration_name(second))
    if test == "wilcoxon":
        return wilcoxon_paired(both[first], both[second], alternative=alternative, names=names)
    return mann_whitney(
        means[first].dropna(),
        means[second].dropna(),
        alternative=alternative,
        method=method,
        names=names,
    )


def _configuration_name(config: tuple[str, bool]) -> str:
    resolution, clinical = config
    return f"{resolution}{' + clinical' if clinical else ''}"


# The four comparisons the paper reports, as (first, second) configurations.
PAPER_COMPARISONS: tuple[tuple[tuple[str, bool], tuple[str, bool]], ...] = (
    (("low", False), ("high", False)),
    (("low", False), ("low", True)),
    (("high", False), ("high", True)),
    (("low", True), ("high", True)),
)


def paper_comparisons(
    evaluations: pd.DataFrame,
    *,
    test: Literal["wilcoxon", "mann-whitney"] = "wilcoxon",
    alternative: Alternative = "two-sided",
    method: Literal["auto", "exact", "asymptotic"] = "auto",
) -> pd.DataFrame:
    """The paper's four comparisons that the evaluations allow, one row each."""
    means = configuration_means(evaluations)
    rows = []
    for first, second in PAPER_COMPARISONS:
        if first in means.columns and second in means.columns:
            c = compare_configurations(
                evaluations, first, second, test=test, alternative=alternative, method=method
            )
            rows.append(c.__dict__)
    return pd.DataFrame(rows)
