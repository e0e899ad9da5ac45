"""A run's hyper-parameters (``TrainConfig``), the named presets, and the network they describe.

No Django here. Training builds its network from a config, and inference rebuilds the same
network from the config stored in a checkpoint, so both take it from this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from classifier.nets import LesionNet, build_model


@dataclass(frozen=True)
class TrainConfig:
    architecture: str = "resnet34"
    size: tuple[int, int] = (300, 224)  # width, height
    use_clinical: bool = False
    fusion: str = "concat"
    epochs: int = 90
    batch_size: int = 64
    lr: float = 3e-4
    weight_decay: float = 1e-4
    optimizer: str = "adamw"  # adamw | sgd
    schedule: str = "cosine"  # cosine | step | constant
    augmentation: bool = True
    imbalance: str = "weighted_loss"  # none | weighted_loss | balanced_sampler
    dropout: float = 0.5
    early_stopping_patience: int | None = None
    seed: int = 0
    pretrained_file: str = ""
    # Deterministic kernels where torch has them (reproducible, sometimes slower on a GPU).
    deterministic: bool = True


PRESETS: dict[str, dict[str, Any]] = {
    # The paper: 90 epochs per fold, no early stopping.
    "paper": {"epochs": 90, "early_stopping_patience": None},
    # A few minutes on two CPU cores on the stand-in images. A small ResNet: from random
    # weights it learns the stand-ins within 4 epochs, where MobileNetV2 stays near chance.
    "cpu-demo": {
        "architecture": "resnet10t",
        "size": (96, 72),
        "epochs": 4,
        "batch_size": 32,
        "lr": 2e-3,
    },
}


def model_from_config(config: TrainConfig) -> LesionNet:
    return build_model(
        config.architecture,
        use_clinical=config.use_clinical,
        fusion=config.fusion,
        dropout=config.dropout,
        pretrained_file=config.pretrained_file or None,
    )


def config_from_dict(values: dict[str, Any]) -> TrainConfig:
    """The config stored in a checkpoint (``dataclasses.asdict``: the size became a list)."""
    values = dict(values)
    if "size" in values:
        values["size"] = tuple(values["size"])
    return TrainConfig(**values)
