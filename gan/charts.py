"""A GAN run's loss curves (matplotlib's object API: no pyplot state, safe in web workers)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure


def loss_curves(history: Sequence[Mapping[str, float]]) -> Figure:
    """Critic and generator losses (left), the Wasserstein estimate and the info term (right),
    against the images seen."""
    figure = Figure(figsize=(10, 3.2), layout="tight")
    left, right = figure.subplots(1, 2)
    images = [point["images"] for point in history]
    for name in ("critic", "generator"):
        left.plot(images, [point[name] for point in history], label=name)
    for name in ("wasserstein", "info"):
        right.plot(images, [point[name] for point in history], label=name)
    for axis in (left, right):
        axis.set_xlabel("images seen")
        axis.legend()
        axis.grid(alpha=0.3)
    return figure


def to_png(figure: Figure, dpi: int = 90) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
