from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from analysis import frames as F
from analysis import metrics, stats
from tests.analysis.readings import readings

T, H = F.TIMED, F.HINT


def test_paired_comparison_runs_wilcoxon_paired_t_and_a_bootstrap_interval() -> None:
    without = np.array([0.20, 0.25, 0.30, 0.15, 0.35, 0.30, 0.10, 0.20])
    with_hint = np.array([0.40, 0.50, 0.45, 0.30, 0.45, 0.50, 0.35, 0.30])
    result = stats.paired_comparison(without, with_hint)
    diff = with_hint - without
    assert result.n == 8
    assert result.mean_difference == pytest.approx(diff.mean())
    assert result.t_p == pytest.approx(sps.ttest_rel(with_hint, without).pvalue)
    assert result.wilcoxon_p == pytest.approx(2 / 2**8)  # all eight readers improved
    assert diff.min() <= result.ci_low < diff.mean() < result.ci_high <= diff.max()
    assert result.ci_method.startswith("bootstrap BCa")


def test_paired_comparison_refuses_unpaired_values() -> None:
    with pytest.raises(ValueError, match="pairs"):
        stats.paired_comparison([0.1, 0.2], [0.1, 0.2, 0.3])


def test_tpr_change_is_with_minus_without_per_class() -> None:
    without = metrics.model_metrics(["mel", "mel", "bcc"], ["nv", "mel", "bcc"])
    with_hint = metrics.model_metrics(["mel", "mel", "bcc"], ["mel", "mel", "nv"])
    table = stats.tpr_change(without, with_hint).set_index("diagnosis")
    assert table.loc["mel", "tpr_change"] == pytest.approx(0.5)
    assert table.loc["bcc", "tpr_change"] == pytest.approx(-1.0)
    assert np.isnan(table.loc["df", "tpr_change"])


def test_ai_follow_splits_by_whether_the_hint_was_right_against_the_unprompted_baseline() -> None:
    frame = readings(
        [
            # without hint: model right on i1, i2; wrong on i3 (says bkl)
            ("p1", T, "R1", "i1", "nv", "nv", "nv"),
            ("p1", T, "R1", "i2", "mel", "nv", "mel"),
            ("p1", T, "R1", "i3", "bcc", "bkl", "bkl"),
            # with hint: right on j1, j2; wrong on j3, j4
            ("p2", H, "R1", "j1", "nv", "nv", "nv"),
            ("p2", H, "R1", "j2", "mel", "mel", "mel"),
            ("p2", H, "R1", "j3", "bcc", "mel", "mel"),
            ("p2", H, "R1", "j4", "df", "df", "nv"),
        ]
    )
    table = stats.ai_follow(frame[frame[F.PHASE] == "p1"], frame[frame[F.PHASE] == "p2"])
    r1 = table.loc["R1"]
    assert (r1["n_hint_right"], r1["follow_when_right"]) == (2, 1.0)
    assert (r1["n_hint_wrong"], r1["follow_when_wrong"]) == (2, 0.5)
    assert (r1["n_model_right"], r1["baseline_when_right"]) == (2, 0.5)
    assert (r1["n_model_wrong"], r1["baseline_when_wrong"]) == (1, 1.0)
    assert table.loc["all", "follow_when_wrong"] == 0.5


def test_timing_gives_seconds_per_answered_case_and_counts_timeouts_apart() -> None:
    frame = readings(
        [
            ("p1", T, "R1", "i1", "nv", "nv", "nv", 4_000),
            ("p1", T, "R1", "i2", "nv", "nv", "nv", 8_000),
            ("p1", T, "R2", "i1", "nv", None, "nv", 45_000),
        ]
    )
    table = stats.timing(frame).loc["p1"]
    assert table["median_seconds"] == pytest.approx(6.0)
    assert table["timeouts"] == 1
    assert table["timeout_rate"] == pytest.approx(1 / 3)
