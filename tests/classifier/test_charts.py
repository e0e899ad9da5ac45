"""Training curves: one run's history on its page, every run's on the analysis DNN page."""

from __future__ import annotations

from classifier.charts import training_curves, training_curves_svg

HISTORY = [
    {"epoch": 1, "train_loss": 1.9, "train_accuracy": 0.2, "lr": 3e-4, "seconds": 4.0,
     "val_loss": 1.8, "val_balanced_accuracy": 0.25},
    {"epoch": 2, "train_loss": 1.5, "train_accuracy": 0.4, "lr": 1e-4, "seconds": 3.9,
     "val_loss": 1.6, "val_balanced_accuracy": 0.35},
]  # fmt: skip


def test_one_history_shows_losses_left_and_accuracies_right_by_name() -> None:
    loss_ax, accuracy_ax = training_curves(HISTORY, title="resnet34 fold 0").axes
    assert {line.get_label() for line in loss_ax.get_lines()} == {
        "training loss",
        "validation loss",
    }
    assert {line.get_label() for line in accuracy_ax.get_lines()} == {
        "training accuracy",
        "validation balanced accuracy",
    }
    assert accuracy_ax.get_ylim() == (0.0, 1.0)


def test_several_runs_get_a_colour_each_and_their_names_on_every_line() -> None:
    loss_ax, _ = training_curves({"a": HISTORY, "b": HISTORY[:1]}).axes
    lines = {line.get_label(): line for line in loss_ax.get_lines()}
    assert set(lines) == {"a: train_loss", "a: val_loss", "b: train_loss", "b: val_loss"}
    assert lines["a: train_loss"].get_color() != lines["b: train_loss"].get_color()
    assert lines["a: val_loss"].get_linestyle() == "--"


def test_the_curves_render_as_svg_text() -> None:
    svg = training_curves_svg(HISTORY, title="resnet34 fold 0")
    assert svg.startswith("<?xml")
    assert "resnet34 fold 0" in svg
