"""The OR-Hillis analysis against the published Van Dyke results (OR-DBM MRMC 2.5 output for
the crossed design, MRMCaov's printed example for cases nested within modality).

Data: analysis/data/VanDyke.csv, published with the RJafroc package (GPL-3); credit:
Van Dyke CW et al., "Cine MRI in the diagnosis of thoracic aortic dissection", 79th RSNA
Meeting, 1993. Analysed in Hillis (2007) Stat Med 26:596-619.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import mrmc

DATA = Path(mrmc.__file__).parent / "data" / "VanDyke.csv"


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
    # MRMCaov's jackknife runs over all N = 228 study cases with the factor (N - 1)/N; a case of
    # the other modality leaves a FOM unchanged, so the sums are the crossed ones over K = 114
    # cases and only the factor differs: [(N - 1)/N] / [(K - 1)/K].
    factor = (227 / 228) / (113 / 114)
    assert out.covariances.var == pytest.approx(result.covariances.var * factor)
    assert out.covariances.cov2 == pytest.approx(result.covariances.cov2 * factor)
    error = result.ms_tr + 5 * result.covariances.cov2 * factor
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


# ---------------------------------------------------------------- cases nested within modality

# MRMCaov's printed output for its nested example, mrmc(empirical_auc(truth, rating), treatment,
# reader, case3, data = VanDyke) where case3 gives each treatment its own cases: MRMCaov
# (github.com/brian-j-smith/MRMCaov) docs/jss/MRMCaov.tex, the knitted summary (commit f1c63dc),
# and the same numbers in docs/pdf/UserGuide.pdf of v0.3.0 ("Cases nested within tests").
MRMCAOV_NESTED = {
    "reader variance": "1.642585e-03",
    "treatment:reader variance": "9.078969e-05",
    "Var(error)": "8.058382e-04",
    "Cov2": "3.455973e-04",
    "MS(T)": "0.004796171",
    "MS(T:R)": "0.0005510306",
    "denominator": "0.002279017",
    "F": "2.104491",
    "ddf": "68.42325",
    "p": "0.1514363",
    "difference": "-0.04380032",
    "difference SE": "0.03019283",
    "difference CI low": "-0.10404242",
    "difference CI high": "0.01644178",
    "treatment 0 Cov2": "0.0004861032",
    "treatment 0 SE": "0.03320586",
    "treatment 0 df": "12.79430",
    "treatment 0 CI low": "0.8251827",
    "treatment 0 CI high": "0.9688914",
    "treatment 1 Cov2": "0.0002050913",
    "treatment 1 SE": "0.02158730",
    "treatment 1 df": "12.75962",
    "treatment 1 CI low": "0.8941114",
    "treatment 1 CI high": "0.9875634",
}


def _as_printed(value: float, printed: str) -> bool:
    """Does ``value`` round to ``printed`` at its number of significant digits?"""
    mantissa = printed.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return float(f"{value:.{len(mantissa) - 1}e}") == float(printed)


@pytest.fixture(scope="module")
def nested_frame(van_dyke: pd.DataFrame) -> pd.DataFrame:
    nested = van_dyke.copy()
    nested.loc[nested["modality"] == 1, "case"] += 1000
    return nested


@pytest.fixture(scope="module")
def nested(nested_frame: pd.DataFrame) -> mrmc.MRMCResult:
    return mrmc.or_hillis(nested_frame, mrmc.auc, design="cases_nested_in_modality")


def test_cases_nested_in_modality_reproduce_mrmcaovs_printed_example(
    nested: mrmc.MRMCResult,
) -> None:
    rrrc = nested.random_readers_random_cases
    (difference,) = rrrc.differences
    first, second = rrrc.modalities
    c = nested.covariances
    ours = {
        "reader variance": (nested.ms_r - nested.ms_tr) / 2 - c.cov1 + c.cov3,
        "treatment:reader variance": nested.ms_tr - c.var + c.cov1 + (c.cov2 - c.cov3),
        "Var(error)": c.var,
        "Cov2": c.cov2,
        "MS(T)": nested.ms_t,
        "MS(T:R)": nested.ms_tr,
        "denominator": rrrc.error_term,
        "F": nested.F,
        "ddf": nested.ddf,
        "p": nested.p,
        "difference": difference.estimate,
        "difference SE": difference.se,
        "difference CI low": difference.ci_low,
        "difference CI high": difference.ci_high,
        "treatment 0 Cov2": nested.per_modality_covariances["0"].cov2,
        "treatment 0 SE": first.se,
        "treatment 0 df": first.df,
        "treatment 0 CI low": first.ci_low,
        "treatment 0 CI high": first.ci_high,
        "treatment 1 Cov2": nested.per_modality_covariances["1"].cov2,
        "treatment 1 SE": second.se,
        "treatment 1 df": second.df,
        "treatment 1 CI low": second.ci_low,
        "treatment 1 CI high": second.ci_high,
    }
    differing = {
        name: (ours[name], printed)
        for name, printed in MRMCAOV_NESTED.items()
        if not _as_printed(ours[name], printed)
    }
    assert differing == {}
    assert (c.cov1, c.cov3) == (0.0, 0.0)  # printed as 0
    assert nested.study_cases == 228
    assert nested.n_cases == {"0": 114, "1": 114}


def _plain_auc(truth: np.ndarray, score: np.ndarray) -> float:
    positive = score[truth == 1][:, None]
    negative = score[truth == 0][None, :]
    return float(((positive > negative) + 0.5 * (positive == negative)).mean())


def _explicit_covariance(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (IJ x IJ) jackknife covariance over all N study cases, built the long way: every
    (modality, reader) AUC recomputed without each study case (unchanged when it did not read
    it), centred over the N values, times (N - 1)/N. Returns it with each column's modality
    and reader."""
    cases = sorted(frame["case"].unique())
    groups = sorted(frame.groupby(["modality", "reader"]).groups)
    pseudo = np.empty((len(cases), len(groups)))
    for g, (modality, reader) in enumerate(groups):
        own = frame[(frame["modality"] == modality) & (frame["reader"] == reader)]
        truth, score = own["truth"].to_numpy(), own["score"].to_numpy()
        full = _plain_auc(truth, score)
        own_cases = own["case"].to_numpy()
        for n, case in enumerate(cases):
            keep = own_cases != case
            pseudo[n, g] = full if keep.all() else _plain_auc(truth[keep], score[keep])
    centred = pseudo - pseudo.mean(axis=0)
    n = len(cases)
    covariance = (n - 1) / n * centred.T @ centred
    modality = np.array([m for m, _ in groups])
    reader = np.array([r for _, r in groups])
    return covariance, modality, reader


def _means(covariance: np.ndarray, modality: np.ndarray, reader: np.ndarray) -> list[float]:
    same_m = modality[:, None] == modality[None, :]
    same_r = reader[:, None] == reader[None, :]
    return [
        float(np.mean(np.diag(covariance))),
        float(np.mean(covariance[~same_m & same_r])),
        float(np.mean(covariance[same_m & ~same_r])),
        float(np.mean(covariance[~same_m & ~same_r])),
    ]


def test_the_nested_covariances_follow_the_explicit_jackknife_over_all_study_cases(
    nested_frame: pd.DataFrame, nested: mrmc.MRMCResult
) -> None:
    var, cov1, cov2, cov3 = _means(*_explicit_covariance(nested_frame))
    c = nested.covariances
    assert c.var == pytest.approx(var, rel=1e-12)
    assert c.cov2 == pytest.approx(cov2, rel=1e-12)
    # Before MRMCaov sets them to 0, Cov1 and Cov3 are 0 up to rounding: a case has a nonzero
    # deviation in one modality only.
    assert abs(cov1) < 1e-18
    assert abs(cov3) < 1e-18


def test_the_nested_design_refuses_cases_shared_by_the_modalities(van_dyke: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="different cases in each modality"):
        mrmc.or_hillis(van_dyke, mrmc.auc, design="cases_nested_in_modality")


# ---------------------------------------------------------------- partially paired


@pytest.fixture(scope="module")
def counterbalanced(van_dyke: pd.DataFrame) -> pd.DataFrame:
    """Readers 0-2 read the odd cases in treatment 0 and the even ones in treatment 1; readers
    3-4 the other way round: per reader the cases are nested within modality, the sets swapped."""
    first_half = van_dyke["case"] % 2 == 1
    arm0 = van_dyke["reader"] <= 2
    keep = (van_dyke["modality"] == 0) == (first_half == arm0)
    return van_dyke[keep].reset_index(drop=True)


def test_partially_paired_readings_follow_the_explicit_jackknife(
    counterbalanced: pd.DataFrame,
) -> None:
    out = mrmc.or_hillis(counterbalanced, mrmc.auc, design="partially_paired")
    var, cov1, cov2, cov3 = _means(*_explicit_covariance(counterbalanced))
    c = out.covariances
    assert c.var == pytest.approx(var, rel=1e-12)
    assert c.cov2 == pytest.approx(cov2, rel=1e-12)
    assert c.cov3 == pytest.approx(cov3, rel=1e-12)
    # A reader's two modalities share no case: Cov1 is 0 up to rounding.
    assert abs(c.cov1) < 1e-18
    assert abs(cov1) < 1e-18
    assert c.cov3 > 0  # readers of the other arm read the same cases in the other modality
    assert out.study_cases == 114
    assert out.cases_per_reader == 57
    error = out.ms_tr + 5 * max(c.cov2 - c.cov3, 0)
    assert out.random_readers_random_cases.error_term == pytest.approx(error)


def test_crossed_readings_analysed_as_partially_paired_give_the_crossed_result(
    van_dyke: pd.DataFrame, result: mrmc.MRMCResult
) -> None:
    out = mrmc.or_hillis(van_dyke, mrmc.auc, design="partially_paired")
    assert out.covariances.var == pytest.approx(result.covariances.var, rel=1e-12)
    assert out.covariances.cov1 == pytest.approx(result.covariances.cov1, rel=1e-12)
    assert out.covariances.cov3 == pytest.approx(result.covariances.cov3, rel=1e-12)
    assert pytest.approx(result.F, rel=1e-12) == out.F


def test_partially_paired_readings_need_every_reader_in_every_modality(
    counterbalanced: pd.DataFrame,
) -> None:
    gone = (counterbalanced["reader"] == 4) & (counterbalanced["modality"] == 1)
    with pytest.raises(ValueError, match="reader '4' has no readings in modality '1'"):
        mrmc.or_hillis(counterbalanced[~gone], mrmc.auc, design="partially_paired")
    with pytest.raises(ValueError, match="every reader must read every case"):
        mrmc.or_hillis(counterbalanced, mrmc.auc, design="crossed")
