"""Training curves: losses (left) and accuracies (right) per epoch, for one run or several.

Matplotlib's object API only (a ``Figure`` of its own, no pyplot state), so web workers can
draw at the same time. No Django here. The run page draws one run's history; the analysis
DNN page draws every run's.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib
from matplotlib.figure import Figure

History = Sequence[Mapping[str, object]]

# Readable names of a history's keys, for a figure of a single run.
LABELS = {
    "train_loss": "training loss",
    "val_loss": "validation loss",
    "train_accuracy": "training accuracy",
    "val_accuracy": "validation accuracy",
    "val_balanced_accuracy": "validation balanced accuracy",
}


def _numeric_keys(history: History, word: str) -> list[str]:
    return sorted(
        {
            key
            for row in history
            for key, value in row.items()
            if word in key and isinstance(value, int | float) and not isinstance(value, bool)
        }
    )


def training_curves(histories: Mapping[str, History] | History, title: str = "") -> Figure:
    """Every loss of each run's per-epoch history on the left, every accuracy on the right.

    ``histories`` maps run names to histories (lines labelled ``run: key``), or is one history
    (lines labelled by what they show). Validation lines are dashed; one colour per run.
    """
    runs: Mapping[str, History]
    if isinstance(histories, Mapping):
        runs, single = histories, False
    else:
        runs, single = {"": histories}, True
    figure = Figure(figsize=(9, 3.2 if single else 3.6))
    loss_ax, accuracy_ax = figure.subplots(1, 2)
    for k, (run, history) in enumerate(runs.items()):
        epochs = [row.get("epoch", i + 1) for i, row in enumerate(history)]
        for ax, word in ((loss_ax, "loss"), (accuracy_ax, "accuracy")):
            for key in _numeric_keys(history, word):
                values = [row.get(key, float("nan")) for row in history]
                label = LABELS.get(key, key) if single else f"{run}: {key}"
                style = "--" if key.startswith("val") else "-"
                ax.plot(epochs, values, style, color=f"C{k % 10}", label=label, lw=1.2)
    loss_ax.set_title("losses")
    accuracy_ax.set_title("accuracies")
    accuracy_ax.set_ylim(0, 1)
    for ax in (loss_ax, accuracy_ax):
        ax.set_xlabel("epoch")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, fontsize=7)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "curves", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg")
    return buffer.getvalue()


def training_curves_svg(histories: Mapping[str, History] | History, title: str = "") -> str:
    return svg(training_curves(histories, title))
