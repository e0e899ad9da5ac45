"""The training loop: seeded, checkpointed every epoch, resumable exactly, fast on a GPU.

No Django here. ``train`` takes a config, the cached images and their labels, and a checkpoint
path; it reports through a callback that the Celery task turns into the job's progress.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from analysis.metrics import balanced_accuracy
from classifier import data as D
from classifier.nets import CLINICAL_FEATURES, LesionNet, build_model


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


@dataclass
class EpochReport:
    epoch: int  # 1-based, the epoch just finished (or in progress)
    epochs: int
    fraction: float  # of the whole run
    train_loss: float | None = None
    train_accuracy: float | None = None
    val_loss: float | None = None
    val_balanced_accuracy: float | None = None
    seconds: float | None = None


@dataclass
class TrainData:
    """Everything one run trains and validates on, by row of the image cache."""

    array: np.ndarray  # uint8 N x H x W x 3 (the cache memmap)
    train_rows: np.ndarray
    train_labels: np.ndarray
    train_clinical: np.ndarray
    val_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    val_labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    val_clinical: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


@dataclass
class TrainResult:
    model: LesionNet
    history: list[dict[str, Any]]
    best_score: float | None
    epochs_run: int
    stopped_early: bool


Callback = Callable[[EpochReport], None]


def pick_device(preferred: str = "") -> torch.device:
    if preferred:
        return torch.device(preferred)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int, *, deterministic: bool = True) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    # Deterministic kernels where torch has them; warn (not fail) where it has none.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    torch.backends.cudnn.benchmark = not deterministic


def make_optimizer(config: TrainConfig, model: nn.Module) -> torch.optim.Optimizer:
    if config.optimizer == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            model.parameters(),
            lr=config.lr,
            momentum=0.9,
            nesterov=True,
            weight_decay=config.weight_decay,
        )
    raise ValueError(f"Unknown optimizer {config.optimizer!r}")


def make_scheduler(
    config: TrainConfig, optimizer: torch.optim.Optimizer
) -> torch.optim.lr_scheduler.LRScheduler:
    # Stepped once per epoch.
    if config.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, config.epochs))
    if config.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=max(1, config.epochs // 3), gamma=0.1
        )
    if config.schedule == "constant":
        return torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)
    raise ValueError(f"Unknown schedule {config.schedule!r}")


def to_device(model: LesionNet, device: torch.device) -> LesionNet:
    model = model.to(device)
    # channels_last only on CUDA: see classifier.data._layout.
    return model.to(memory_format=torch.channels_last) if device.type == "cuda" else model


def _autocast(device: torch.device) -> Any:
    # bf16 autocast on CUDA; full float32 on the CPU, where bf16 is slow and changes results.
    return torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")


def _rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    # RNG states are CPU byte tensors even when the checkpoint was mapped onto a GPU.
    torch.set_rng_state(state["torch"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])


def save_atomic(obj: Any, path: Path) -> None:
    """Write then rename: a worker killed mid-write leaves the previous checkpoint whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def best_weights_path(checkpoint: Path) -> Path:
    return checkpoint.with_name("best.pt")


def model_from_config(config: TrainConfig) -> LesionNet:
    return build_model(
        config.architecture,
        use_clinical=config.use_clinical,
        fusion=config.fusion,
        dropout=config.dropout,
        pretrained_file=config.pretrained_file or None,
    )


def config_from_dict(values: dict[str, Any]) -> TrainConfig:
    values = dict(values)
    if "size" in values:
        values["size"] = tuple(values["size"])
    return TrainConfig(**values)


def train_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    clinical: torch.Tensor | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One optimisation step; returns the loss and logits as device tensors (no host sync)."""
    with _autocast(x.device):
        logits = model(x, clinical)
        loss = loss_fn(logits.float(), y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss, logits


@torch.no_grad()
def predict_logits(
    model: nn.Module,
    images: D.DeviceImages,
    clinical: torch.Tensor | None,
    *,
    batch_size: int,
    device: torch.device,
) -> torch.Tensor:
    """Logits (float32, on the device) for every image of ``images``, never augmented."""
    model.eval()
    outputs = []
    for index in D.batches(torch.arange(images.count), batch_size, drop_last=False):
        x = D.normalise(images.batch(index))
        c = clinical[index.to(clinical.device)] if clinical is not None else None
        with _autocast(device):
            outputs.append(model(x, c).float())
    if not outputs:
        return torch.zeros(0, 7, device=device)
    return torch.cat(outputs)


def train(
    config: TrainConfig,
    train_data: TrainData,
    checkpoint: Path,
    *,
    device: torch.device | None = None,
    callback: Callback | None = None,
    stop_after_epoch: int | None = None,
) -> TrainResult:
    """Train (or resume from ``checkpoint``) for ``config.epochs``; checkpoint after each epoch.

    ``stop_after_epoch`` ends the call early, as an interrupted worker would, leaving the
    checkpoint to resume from. The returned model holds the best validation weights when there
    was a validation set, else the last ones.
    """
    device = device or pick_device()
    seed_everything(config.seed, deterministic=config.deterministic)
    model = to_device(model_from_config(config), device)
    optimizer = make_optimizer(config, model)
    scheduler = make_scheduler(config, optimizer)
    history: list[dict[str, Any]] = []
    best_score: float | None = None
    since_best = 0
    start_epoch = 0
    if checkpoint.exists():
        state = torch.load(checkpoint, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        _set_rng_state(state["rng"])
        history = state["history"]
        best_score = state["best_score"]
        since_best = state["since_best"]
        start_epoch = state["epoch"]

    num_classes = model.classifier.out_features
    train_images = D.DeviceImages(train_data.array, train_data.train_rows, device)
    val_images = D.DeviceImages(train_data.array, train_data.val_rows, device)
    labels = torch.from_numpy(train_data.train_labels).to(device)
    clinical = (
        torch.from_numpy(train_data.train_clinical).to(device) if config.use_clinical else None
    )
    val_clinical = (
        torch.from_numpy(train_data.val_clinical).to(device) if config.use_clinical else None
    )
    weight = None
    if config.imbalance == "weighted_loss":
        weight = torch.from_numpy(D.class_weights(train_data.train_labels, num_classes)).to(device)
    loss_fn = nn.CrossEntropyLoss(weight=weight)
    val_loss_fn = nn.CrossEntropyLoss()
    stopped_early = False
    last_report = time.monotonic()

    epoch = start_epoch
    for epoch in range(start_epoch, config.epochs):
        if stop_after_epoch is not None and epoch >= stop_after_epoch:
            break
        started = time.monotonic()
        # Shuffling and augmentation draw from generators seeded by (seed, epoch): a resumed
        # run draws exactly what an uninterrupted one would have.
        order_gen = torch.Generator().manual_seed(config.seed * 100_003 + epoch)
        aug_gen = torch.Generator(device=device).manual_seed(config.seed * 100_019 + epoch)
        order = D.epoch_order(
            train_data.train_labels,
            balanced=config.imbalance == "balanced_sampler",
            generator=order_gen,
        )
        # The whole epoch's order goes to the device once, not one index tensor per step.
        steps = D.batches(order.to(device), config.batch_size, drop_last=True)
        model.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        seen = 0
        for step, index in enumerate(steps):
            raw = train_images.batch(index)
            x = D.augment(raw, aug_gen) if config.augmentation else D.normalise(raw)
            y = labels[index]
            c = clinical[index] if clinical is not None else None
            loss, logits = train_step(model, optimizer, loss_fn, x, y, c)
            # Accumulated on the device: no host sync inside the step.
            loss_sum += loss.detach() * len(index)
            correct += (logits.detach().argmax(1) == y).sum()
            seen += len(index)
            if callback and time.monotonic() - last_report > 2.0:
                last_report = time.monotonic()
                callback(
                    EpochReport(
                        epoch=epoch + 1,
                        epochs=config.epochs,
                        fraction=(epoch + (step + 1) / len(steps)) / config.epochs,
                    )
                )
        scheduler.step()
        record: dict[str, Any] = {
            "epoch": epoch + 1,
            "train_loss": float(loss_sum) / max(1, seen),
            "train_accuracy": float(correct) / max(1, seen),
            "lr": optimizer.param_groups[0]["lr"],
        }
        improved = False
        if val_images.count:
            logits = predict_logits(
                model, val_images, val_clinical, batch_size=config.batch_size, device=device
            )
            val_labels = torch.from_numpy(train_data.val_labels).to(device)
            record["val_loss"] = float(val_loss_fn(logits, val_labels))
            score = balanced_accuracy(train_data.val_labels, logits.argmax(1).cpu().numpy())
            record["val_balanced_accuracy"] = score
            if best_score is None or score > best_score:
                best_score, since_best, improved = score, 0, True
            else:
                since_best += 1
        record["seconds"] = time.monotonic() - started
        history.append(record)
        if improved:
            save_atomic(model.state_dict(), best_weights_path(checkpoint))
        save_atomic(
            {
                "config": asdict(config),
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "rng": _rng_state(),
                "epoch": epoch + 1,
                "history": history,
                "best_score": best_score,
                "since_best": since_best,
            },
            checkpoint,
        )
        if callback:
            callback(
                EpochReport(
                    epoch=epoch + 1,
                    epochs=config.epochs,
                    fraction=(epoch + 1) / config.epochs,
                    train_loss=record["train_loss"],
                    train_accuracy=record["train_accuracy"],
                    val_loss=record.get("val_loss"),
                    val_balanced_accuracy=record.get("val_balanced_accuracy"),
                    seconds=record["seconds"],
                )
            )
        patience = config.early_stopping_patience
        if patience is not None and val_images.count and since_best >= patience:
            stopped_early = True
            break

    best = best_weights_path(checkpoint)
    if best.exists() and val_images.count:
        model.load_state_dict(torch.load(best, map_location=device, weights_only=True))
    return TrainResult(
        model=model,
        history=history,
        best_score=best_score,
        epochs_run=len(history),
        stopped_early=stopped_early,
    )


def load_model(checkpoint: Path, device: torch.device | None = None) -> LesionNet:
    """The trained model of a run: its best validation weights if saved, else the last ones."""
    device = device or pick_device()
    state = torch.load(checkpoint, map_location=device, weights_only=False)
    config = config_from_dict(state["config"])
    # The backbone's pretrained file is not needed: every weight comes from the checkpoint.
    model = model_from_config(replace(config, pretrained_file=""))
    best = best_weights_path(checkpoint)
    if best.exists():
        model.load_state_dict(torch.load(best, map_location=device, weights_only=True))
    else:
        model.load_state_dict(state["model"])
    return to_device(model, device).eval()


def predict(
    model: LesionNet,
    array: np.ndarray,
    rows: np.ndarray,
    clinical: np.ndarray | None,
    *,
    batch_size: int = 64,
    device: torch.device | None = None,
) -> np.ndarray:
    """Probabilities (N x 7, float64, rows summing to 1) for cache ``rows``."""
    device = device or next(model.parameters()).device
    images = D.DeviceImages(array, rows, device)
    c = (
        torch.from_numpy(clinical).to(device)
        if model.use_clinical and clinical is not None
        else None
    )
    logits = predict_logits(model, images, c, batch_size=batch_size, device=device)
    return torch.softmax(logits.double(), dim=1).cpu().numpy()


def time_inference(
    model: LesionNet,
    size: tuple[int, int],
    *,
    device: torch.device,
    batch_size: int = 64,
    repeats: int = 3,
) -> tuple[float, float]:
    """Milliseconds per image, batched and at batch size 1 (median of ``repeats``)."""
    width, height = size
    model.eval()

    def run(n: int) -> float:
        x = D.normalise(torch.randint(0, 256, (n, 3, height, width), device=device).byte())
        c = torch.zeros(n, CLINICAL_FEATURES, device=device) if model.use_clinical else None
        times = []
        with torch.no_grad(), _autocast(device):
            model(x, c)  # warm-up
            for _ in range(repeats):
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                t = time.perf_counter()
                model(x, c)
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                times.append(time.perf_counter() - t)
        return 1000.0 * float(np.median(times)) / n

    return run(batch_size), run(1)
