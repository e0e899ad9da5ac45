from __future__ import annotations

import numpy as np
import pytest

from analysis import plots, readings_report, simulate


@pytest.fixture(scope="module")
def report() -> readings_report.StudyReport:
    frame = simulate.simulate_study(n_readers=6, n_cases=20, seed=4)
    return readings_report.study_report(frame, include_simulated=True)


def test_every_report_figure_renders_as_svg_and_png(report: readings_report.StudyReport) -> None:
    figures = plots.report_figures(report)
    assert set(figures) == {
        "confusion-phase-1--timed",
        "confusion-phase-1--timed-share",
        "confusion-phase-1--timed-dnn",
        "confusion-phase-1--timed-dnn-share",
        "confusion-phase-2--hint",
        "confusion-phase-2--hint-share",
        "confusion-phase-2--hint-dnn",
        "confusion-phase-2--hint-dnn-share",
        "tpr-per-class",
        "paired-accuracy-phase-2--hint",
        "accuracy-by-years",
    }
    for figure in figures.values():
        svg = plots.to_svg(figure)
        assert svg.lstrip().startswith("<?xml")
        assert "</svg>" in svg
        assert plots.to_png(figure, dpi=40).startswith(b"\x89PNG")


def test_a_confusion_matrix_shows_a_timeout_column_only_when_there_were_timeouts() -> None:
    counts = np.zeros((7, 8), dtype=int)
    counts[5, 5] = 3
    without = plots.to_svg(plots.confusion_matrix(counts, "GPs"))
    counts[4, 7] = 2
    with_timeouts = plots.to_svg(plots.confusion_matrix(counts, "GPs"))
    assert "timeout" not in without
    assert "timeout" in with_timeouts


def test_training_curves_plot_losses_and_metrics_from_the_run_history() -> None:
    history = [
        {"epoch": 1, "train_loss": 1.2, "val_loss": 1.1, "val_accuracy": 0.5},
        {"epoch": 2, "train_loss": 0.9, "val_loss": 1.0, "val_accuracy": 0.6},
    ]
    figure = plots.training_curves({"resnet34 fold 0": history})
    loss_ax, metric_ax = figure.axes
    assert {line.get_label() for line in loss_ax.get_lines()} == {
        "resnet34 fold 0: train_loss",
        "resnet34 fold 0: val_loss",
    }
    (accuracy_line,) = metric_ax.get_lines()
    assert list(accuracy_line.get_ydata()) == [0.5, 0.6]
