"""Tables 2 and 3 of the paper rebuilt from evaluations carrying its own numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import dnn_tables

ARCHITECTURES = list(dnn_tables.PAPER_NAMES)
# Accuracy and error rate (%) as printed: Table 2 (without) and Table 3 (with clinical data).
PAPER = {
    ("low", False): (
        [75.32, 74.56, 75.62, 77.82, 76.85, 74.21, 74.05, 82.47],
        [24.68, 25.44, 24.38, 22.22, 23.15, 25.79, 25.91, 17.53],
    ),
    ("high", False): (
        [76.73, 75.97, 77.02, 79.13, 78.25, 75.62, 75.50, 83.88],
        [23.27, 24.03, 22.98, 20.87, 21.75, 24.38, 24.5, 16.12],
    ),
    ("low", True): (
        [77.43, 79.31, 77.55, 80.01, 80.25, 79.43, 75.73, 81.24],
        [22.57, 20.69, 22.45, 19.99, 19.75, 20.57, 24.27, 18.76],
    ),
    ("high", True): (
        [78.84, 80.72, 78.96, 80.72, 81.65, 79.02, 77.14, 84.73],
        [21.16, 19.28, 21.04, 19.28, 18.35, 20.98, 22.86, 15.27],
    ),
}
# Five folds spread symmetrically around each printed mean.
FOLD_OFFSETS = np.array([-0.4, -0.2, 0.0, 0.2, 0.4]) / 100


@pytest.fixture(scope="module")
def evaluations() -> pd.DataFrame:
    rows = []
    for (resolution, clinical), (accuracies, errors) in PAPER.items():
        for arch, acc, err in zip(ARCHITECTURES, accuracies, errors, strict=True):
            for fold, offset in enumerate(FOLD_OFFSETS):
                rows.append(
                    {
                        "architecture": arch,
                        "resolution": resolution,
                        "use_clinical": clinical,
                        "fold": fold,
                        "accuracy": acc / 100 + offset,
                        "error_rate": err / 100 - offset,
                    }
                )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("clinical", [False, True])
def test_tables_2_and_3_show_the_mean_over_folds_per_architecture_and_resolution(
    evaluations: pd.DataFrame, clinical: bool
) -> None:
    table = dnn_tables.dnn_table(evaluations, use_clinical=clinical)
    assert list(table.index) == ARCHITECTURES
    assert table.loc["mobilenetv2_100", "name"] == "MobileNet"
    for resolution in ("low", "high"):
        accuracies, errors = PAPER[(resolution, clinical)]
        np.testing.assert_allclose(table[f"{resolution}_accuracy_mean"] * 100, accuracies)
        np.testing.assert_allclose(table[f"{resolution}_error_rate_mean"] * 100, errors)
        np.testing.assert_allclose(
            table[f"{resolution}_accuracy_std"], np.std(FOLD_OFFSETS, ddof=1)
        )
        assert (table[f"{resolution}_folds"] == 5).all()


def test_mann_whitney_one_sided_asymptotic_reproduces_two_of_the_papers_p_values(
    evaluations: pd.DataFrame,
) -> None:
    options = {"test": "mann-whitney", "alternative": "less", "method": "asymptotic"}
    low_high = dnn_tables.compare_configurations(
        evaluations, ("low", False), ("high", False), **options
    )
    high_clinical = dnn_tables.compare_configurations(
        evaluations, ("high", False), ("high", True), **options
    )
    assert round(low_high.p, 2) == 0.07
    assert round(high_clinical.p, 2) == 0.02


def test_no_mann_whitney_option_gives_the_papers_p_for_clinical_data_at_low_resolution(
    evaluations: pd.DataFrame,
) -> None:
    # Printed: p = 0.004 (low without vs with clinical) and p = 0.21 (low vs high with).
    for alternative in ("two-sided", "less"):
        for method in ("exact", "asymptotic"):
            low = dnn_tables.compare_configurations(
                evaluations,
                ("low", False),
                ("low", True),
                test="mann-whitney",
                alternative=alternative,
                method=method,
            )
            both = dnn_tables.compare_configurations(
                evaluations,
                ("low", True),
                ("high", True),
                test="mann-whitney",
                alternative=alternative,
                method=method,
            )
            assert round(low.p, 3) != 0.004
            assert round(both.p, 2) != 0.21


def test_the_paired_wilcoxon_over_architectures_is_the_default(evaluations: pd.DataFrame) -> None:
    result = dnn_tables.compare_configurations(evaluations, ("low", False), ("high", False))
    assert result.test == "Wilcoxon signed-rank"
    # All eight architectures gain with high resolution: exact two-sided p = 2 / 2**8.
    assert result.p == pytest.approx(2 / 2**8)
    assert result.n_first == result.n_second == 8


def test_the_four_paper_comparisons_come_as_one_table(evaluations: pd.DataFrame) -> None:
    table = dnn_tables.paper_comparisons(evaluations)
    assert list(zip(table["first"], table["second"], strict=True)) == [
        ("low", "high"),
        ("low", "low + clinical"),
        ("high", "high + clinical"),
        ("low + clinical", "high + clinical"),
    ]


def test_a_configuration_without_evaluations_is_named_in_the_error(
    evaluations: pd.DataFrame,
) -> None:
    only_low = evaluations[evaluations["resolution"] == "low"]
    with pytest.raises(ValueError, match="resolution='high' clinical=False"):
        dnn_tables.compare_configurations(only_low, ("low", False), ("high", False))
