"""The paper's experiment grid as a plain list, and the names its experiments and runs get.

No Django here, so ``run_grid --dry-run`` and the tests read the same list the command queues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from classifier.nets import PAPER_ARCHITECTURES
from classifier.train_config import PRESETS

RESOLUTION_NAMES: tuple[str, ...] = ("low", "high")


@dataclass(frozen=True)
class GridEntry:
    architecture: str
    resolution: str
    use_clinical: bool
    fold: int

    def experiment_name(self, dataset: str, preset: str) -> str:
        return experiment_name(
            dataset, preset, self.architecture, self.resolution, self.use_clinical
        )

    def run_name(self, dataset: str, preset: str) -> str:
        return f"{self.experiment_name(dataset, preset)}-fold{self.fold}"


def experiment_name(
    dataset: str, preset: str, architecture: str, resolution: str, use_clinical: bool
) -> str:
    return (
        f"{dataset}-{preset}-{architecture}-{resolution}-{'clinical' if use_clinical else 'image'}"
    )


def paper_grid(folds: int = 5) -> list[GridEntry]:
    """8 architectures x 2 resolutions x clinical off/on x folds: 160 runs for 5 folds."""
    return [
        GridEntry(architecture, resolution, use_clinical, fold)
        for architecture in PAPER_ARCHITECTURES
        for resolution in RESOLUTION_NAMES
        for use_clinical in (False, True)
        for fold in range(folds)
    ]


def preset_hyperparameters(preset: str) -> dict[str, Any]:
    """The experiment fields a preset sets (architecture and size only where it fixes them)."""
    if preset not in PRESETS:
        raise ValueError(f"Unknown preset {preset!r}: choose from {', '.join(PRESETS)}")
    values = dict(PRESETS[preset])
    size = values.pop("size", None)
    if size is not None:
        values["input_width"], values["input_height"] = size
    return values
