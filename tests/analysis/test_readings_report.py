from __future__ import annotations

import numpy as np
import pytest

from analysis import frames as F
from analysis import readings_report, simulate
from tests.analysis.readings import readings


@pytest.fixture(scope="module")
def simulated() -> readings_report.StudyReport:
    frame = simulate.simulate_study(
        n_readers=40, n_cases=100, accuracy_without=0.30, accuracy_with=0.45, seed=7
    )
    return readings_report.study_report(frame, include_simulated=True)


def test_a_simulated_effect_of_fifteen_points_is_recovered_within_its_intervals(
    simulated: readings_report.StudyReport,
) -> None:
    (comparison,) = simulated.comparisons
    paired = comparison.accuracy
    assert paired.ci_low < 0.15 < paired.ci_high
    assert paired.ci_low > 0  # and the AI phase is better, beyond doubt
    assert paired.wilcoxon_p < 0.001
    assert comparison.mrmc is not None
    assert comparison.mrmc.design == "cases_nested_in_modality"
    (difference,) = comparison.mrmc.differences
    assert difference.name == "with AI - without AI"
    assert difference.ci_low < 0.15 < difference.ci_high
    assert comparison.mrmc.p < 0.001
    by_name = {e.name: e for e in comparison.mrmc.estimates}
    assert by_name["without AI"].ci_low < 0.30 < by_name["without AI"].ci_high
    assert by_name["with AI"].ci_low < 0.45 < by_name["with AI"].ci_high


def test_table_4_puts_the_model_beside_the_readers_on_the_same_images(
    simulated: readings_report.StudyReport,
) -> None:
    table = simulated.table4
    assert list(table["who"]) == ["DNN", "GPs", "DNN", "GPs + AI"]
    assert list(table["n"]) == [100, 4000, 100, 4000]
    assert (table["accuracy"] + table["error_rate"]).tolist() == pytest.approx([1.0] * 4)


def test_simulated_readers_are_left_out_unless_asked_for() -> None:
    frame = simulate.simulate_study(n_readers=3, n_cases=10, seed=1)
    report = readings_report.study_report(frame)
    assert report.n_readings == 0
    assert report.phases == []
    assert report.notes == ["Only simulated readers so far."]


def test_the_mrmc_design_is_crossed_when_both_phases_show_the_same_images() -> None:
    rows = []
    rng = np.random.default_rng(0)
    truths = rng.choice(["nv", "mel", "bcc"], 12)
    for kind, phase in ((F.TIMED, "timed"), (F.HINT, "hint")):
        for reader in ("R1", "R2", "R3"):
            for i, truth in enumerate(truths):
                answer = truth if rng.random() < (0.6 if kind == F.HINT else 0.3) else "bkl"
                rows.append((phase, kind, reader, f"i{i}", truth, answer, truth))
    report = readings_report.study_report(readings(rows))
    (comparison,) = report.comparisons
    assert comparison.mrmc is not None
    assert comparison.mrmc.design == "crossed"
    assert comparison.readers_paired == 3


def test_readers_who_left_a_phase_unfinished_stay_out_of_the_mrmc_only() -> None:
    frame = simulate.simulate_study(n_readers=6, n_cases=20, seed=2)
    frame = frame.drop(frame.index[(frame[F.READER] == "R006") & (frame[F.CASE] == 30)])
    (comparison,) = readings_report.study_report(frame, include_simulated=True).comparisons
    assert comparison.readers_paired == 6
    assert "1 who did not finish both phases left out" in comparison.mrmc_note
    assert comparison.mrmc is not None
    assert len(comparison.mrmc.readers) == 5


def test_an_untimed_contest_alone_gets_metrics_but_no_hint_comparison() -> None:
    frame = readings(
        [
            ("contest 1", F.UNTIMED, "R1", "i1", "nv", "nv", "nv"),
            ("contest 1", F.UNTIMED, "R1", "i2", "mel", "nv", "mel"),
            ("contest 1", F.UNTIMED, "R2", "i1", "nv", "bkl", "nv"),
            ("contest 1", F.UNTIMED, "R2", "i2", "mel", "mel", "mel"),
        ]
    )
    report = readings_report.study_report(frame)
    assert report.comparisons == []
    assert list(report.table4["who"]) == ["DNN", "GPs"]
    assert list(report.table4["accuracy"]) == [1.0, 0.5]
    (phase,) = report.phases
    assert phase.readers.mean_accuracy.mean == 0.5


def test_each_reader_is_compared_with_the_model_on_the_same_images(
    simulated: readings_report.StudyReport,
) -> None:
    timed = simulated.phases[0]
    assert timed.model is not None
    # Every reader read every image, so the model's accuracy is the same for each of them.
    assert np.allclose(timed.per_reader["model_accuracy_same_images"], timed.model.accuracy)
    versus = timed.versus_model
    assert versus is not None
    expected = timed.readers.mean_accuracy.mean - float(timed.model.accuracy)
    assert versus.mean_difference == pytest.approx(expected)
    assert versus.ci_high < 0  # the GPs fall well short of the model (0.30 vs 0.77)
    gps = simulated.table4[simulated.table4["who"] == "GPs"].iloc[0]
    assert gps["minus_dnn"] == pytest.approx(expected)
    assert gps["minus_dnn_wilcoxon_p"] < 0.001
