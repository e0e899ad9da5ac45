"""The OR-Hillis analysis against the published Van Dyke results (OR-DBM MRMC 2.5 output).

Data: tests/analysis/data/VanDyke.csv, published with the RJafroc package (GPL-3); credit:
Van Dyke CW et al., "Cine MRI in the diagnosis of thoracic aortic dissection", 79th RSNA
Meeting, 1993. Analysed in Hillis (2007) Stat Med 26:596-619.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import mrmc

DATA = Path(__file__).parent / "data" / "VanDyke.csv"


@pytest.fixture(scope="module")
def van_dyke() -> pd.DataFrame:
    return pd.read_csv(DATA).rename(columns={"treatment": "modality", "rating": "score"})


@pytest.fixture(scope="module")
def result(van_dyke: pd.DataFrame) -> mrmc.MRMCResult:
    return mrmc.or_hillis(van_dyke, mrmc.auc, design="crossed")


def test_the_van_dyke_data_has_the_published_shape(van_dyke: pd.DataFrame) -> None:
    assert van_dyke["reader"].nunique() == 5
    assert van_dyke["case"].nunique() == 114
    assert van_dyke.groupby("case")["truth"].first().sum() == 45


def test_mean_auc_per_treatment_matches_the_published_values(result: mrmc.MRMCResult) -> None:
    assert [round(e.estimate, 8) for e in result.estimates] == [0.89703704, 0.94083736]


def test_covariances_match_the_published_values(result: mrmc.MRMCResult) -> None:
    c = result.covariances
    assert [round(v, 8) for v in (c.var, c.cov1, c.cov2, c.cov3)] == [
        0.00080229,
        0.00034661,
        0.00034407,
        0.00023903,
    ]


def test_mean_squares_match_the_published_values(result: mrmc.MRMCResult) -> None:
    assert round(result.ms_t, 8) == 0.00479617
    assert round(result.ms_tr, 8) == 0.00055103


def test_random_readers_and_cases_test_matches_the_published_f_ddf_and_p(
    result: mrmc.MRMCResult,
) -> None:
    assert round(result.F, 2) == 4.46
    assert round(result.ddf, 2) == 15.26
    assert round(result.p, 4) == 0.0517
    assert round(result.random_readers_random_cases.error_term, 8) == 0.00107626


def test_the_treatment_difference_matches_the_published_se_and_interval(
    result: mrmc.MRMCResult,
) -> None:
    (difference,) = result.differences
    assert difference.name == "0 - 1"
    assert round(difference.estimate, 5) == -0.04380
    assert round(difference.se, 5) == 0.02075
    assert (round(difference.ci_low, 5), round(difference.ci_high, 5)) == (-0.08796, 0.00036)


def test_single_treatment_intervals_match_the_published_se_df_and_ci(
    result: mrmc.MRMCResult,
) -> None:
    first, second = result.estimates
    assert round(first.se, 8) == 0.03317360
    assert round(first.df, 2) == 12.74
    assert (round(first.ci_low, 8), round(first.ci_high, 8)) == (0.82522360, 0.96885048)
    assert round(second.se, 8) == 0.02156637
    assert round(second.df, 2) == 12.71
    assert (round(second.ci_low, 8), round(second.ci_high, 8)) == (0.89413783, 0.98753689)


def test_fixed_readers_chi_square_matches_the_published_value(result: mrmc.MRMCResult) -> None:
    fixed = result.fixed_readers_random_cases
    assert round(fixed.statistic, 5) == 5.47595
    assert fixed.df1 == 1
    assert round(fixed.p, 4) == 0.0193


def test_random_readers_fixed_cases_is_the_reader_by_modality_anova(
    result: mrmc.MRMCResult,
) -> None:
    fixed_cases = result.random_readers_fixed_cases
    assert fixed_cases.statistic == pytest.approx(result.ms_t / result.ms_tr)
    assert fixed_cases.df2 == 4


def test_any_plain_figure_of_merit_gives_the_same_answer_as_the_vectorised_one(
    van_dyke: pd.DataFrame, result: mrmc.MRMCResult
) -> None:
    def plain_auc(truth: np.ndarray, score: np.ndarray) -> float:
        positive = score[truth == 1][:, None]
        negative = score[truth == 0][None, :]
        return float(((positive > negative) + 0.5 * (positive == negative)).mean())

    slow = mrmc.or_hillis(van_dyke, plain_auc)
    assert pytest.approx(result.F, rel=1e-10) == slow.F
    assert slow.covariances.cov3 == pytest.approx(result.covariances.cov3, rel=1e-10)


def test_accuracy_jackknife_equals_recomputing_without_each_case() -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 7, 40)
    scores = np.where(rng.random((6, 40)) < 0.4, truth, rng.integers(0, 7, (6, 40)))
    full, loo = mrmc.accuracy.jackknife(truth, scores)
    for j in range(6):
        assert full[j] == pytest.approx(np.mean(scores[j] == truth))
        for k in (0, 17, 39):
            keep = np.arange(40) != k
            assert loo[j, k] == pytest.approx(np.mean(scores[j, keep] == truth[keep]))


def test_cases_nested_in_modality_drops_the_cross_modality_covariances(
    van_dyke: pd.DataFrame, result: mrmc.MRMCResult
) -> None:
    nested = van_dyke.copy()
    # The second modality gets its own (relabelled) cases: the same numbers, other patients.
    nested.loc[nested["modality"] == 1, "case"] += 1000
    out = mrmc.or_hillis(nested, mrmc.auc, design="cases_nested_in_modality")
    assert out.covariances.cov1 == 0.0
    assert out.covariances.cov3 == 0.0
    assert out.covariances.var == pytest.approx(result.covariances.var)
    assert out.covariances.cov2 == pytest.approx(result.covariances.cov2)
    error = result.ms_tr + 5 * result.covariances.cov2
    assert out.random_readers_random_cases.error_term == pytest.approx(error)
    assert pytest.approx(result.ms_t / error) == out.F
    assert out.F < result.F  # independent cases carry less shared information


def test_crossed_design_refuses_different_cases_per_modality(van_dyke: pd.DataFrame) -> None:
    nested = van_dyke.copy()
    nested.loc[nested["modality"] == 1, "case"] += 1000
    with pytest.raises(ValueError, match="same cases in every modality"):
        mrmc.or_hillis(nested, mrmc.auc, design="crossed")


def test_incomplete_readings_are_refused_with_the_modality_named(van_dyke: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="every reader must read every case"):
        mrmc.or_hillis(van_dyke.iloc[1:], mrmc.auc)


def test_unknown_design_and_missing_columns_are_refused(van_dyke: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="design must be one of"):
        mrmc.or_hillis(van_dyke, mrmc.auc, design="split_plot")
    with pytest.raises(ValueError, match="lacks columns: score"):
        mrmc.or_hillis(van_dyke.drop(columns="score"), mrmc.auc)
