"""Training curves as SVG, drawn with matplotlib (no Django)."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def training_curves_svg(history: list[dict[str, Any]], title: str = "") -> str:
    """Losses (left) and accuracies (right) per epoch."""
    epochs = [h["epoch"] for h in history]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    left.plot(epochs, [h.get("train_loss") for h in history], label="training loss")
    if any("val_loss" in h for h in history):
        left.plot(epochs, [h.get("val_loss") for h in history], label="validation loss")
    left.set_xlabel("epoch")
    left.legend()
    right.plot(epochs, [h.get("train_accuracy") for h in history], label="training accuracy")
    if any("val_balanced_accuracy" in h for h in history):
        right.plot(
            epochs,
            [h.get("val_balanced_accuracy") for h in history],
            label="validation balanced accuracy",
        )
    right.set_ylim(0, 1)
    right.set_xlabel("epoch")
    right.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()
