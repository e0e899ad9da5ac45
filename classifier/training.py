"""The training loop: seeded, checkpointed every epoch, resumable exactly, fast on a GPU.

No Django here. ``train`` takes a config, the cached images and their labels, and a checkpoint
path; it reports through a callback that the job's service turns into progress. It is a short
orchestration of ``train_one_epoch``, ``validate`` and the run's ``Checkpointer``.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from analysis.metrics import balanced_accuracy
from classifier import data as D
from classifier.checkpoints import Checkpointer, TrainState
from classifier.inference import autocast, pick_device, predict_logits, to_device
from classifier.nets import LesionNet
from classifier.train_config import TrainConfig, model_from_config

# Seconds between in-epoch progress reports (epoch ends are always reported).
REPORT_INTERVAL = 2.0


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


@dataclass
class DeviceSet:
    """One side of a fold (training or validation) ready on the device."""

    images: D.DeviceImages
    labels: np.ndarray  # on the host: the epoch order and the balanced accuracy read them
    device_labels: torch.Tensor
    clinical: torch.Tensor | None  # None when the network takes no clinical data

    @classmethod
    def build(
        cls,
        array: np.ndarray,
        rows: np.ndarray,
        labels: np.ndarray,
        clinical: np.ndarray,
        *,
        use_clinical: bool,
        device: torch.device,
    ) -> DeviceSet:
        return cls(
            images=D.DeviceImages(array, rows, device),
            labels=labels,
            device_labels=torch.from_numpy(labels).to(device),
            clinical=torch.from_numpy(clinical).to(device) if use_clinical else None,
        )


def device_sets(
    data: TrainData, *, use_clinical: bool, device: torch.device
) -> tuple[DeviceSet, DeviceSet]:
    """The fold's training and validation sides on ``device``."""
    return (
        DeviceSet.build(
            data.array, data.train_rows, data.train_labels, data.train_clinical,
            use_clinical=use_clinical, device=device,
        ),
        DeviceSet.build(
            data.array, data.val_rows, data.val_labels, data.val_clinical,
            use_clinical=use_clinical, device=device,
        ),
    )  # fmt: skip


Callback = Callable[[EpochReport], None]
# (0-based epoch, share of that epoch done)
StepReport = Callable[[int, float], None]


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


def make_loss(
    config: TrainConfig, labels: np.ndarray, num_classes: int, device: torch.device
) -> nn.CrossEntropyLoss:
    weight = None
    if config.imbalance == "weighted_loss":
        weight = torch.from_numpy(D.class_weights(labels, num_classes)).to(device)
    return nn.CrossEntropyLoss(weight=weight)


def train_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    clinical: torch.Tensor | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One optimisation step; returns the loss and logits as device tensors (no host sync)."""
    with autocast(x.device):
        logits = model(x, clinical)
        loss = loss_fn(logits.float(), y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss, logits


def train_one_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: nn.Module,
    data: DeviceSet,
    config: TrainConfig,
    *,
    epoch: int,
    on_step: StepReport | None = None,
) -> dict[str, float]:
    """One pass over the training images (0-based ``epoch``): mean loss and accuracy."""
    device = data.images.device
    # Shuffling and augmentation draw from generators seeded by (seed, epoch): a resumed
    # run draws exactly what an uninterrupted one would have.
    order_gen = torch.Generator().manual_seed(config.seed * 100_003 + epoch)
    aug_gen = torch.Generator(device=device).manual_seed(config.seed * 100_019 + epoch)
    order = D.epoch_order(
        data.labels, balanced=config.imbalance == "balanced_sampler", generator=order_gen
    )
    # The whole epoch's order goes to the device once, not one index tensor per step.
    steps = D.batches(order.to(device), config.batch_size, drop_last=True)
    model.train()
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device)
    seen = 0
    for step, index in enumerate(steps):
        raw = data.images.batch(index)
        x = D.augment(raw, aug_gen) if config.augmentation else D.normalise(raw)
        y = data.device_labels[index]
        c = data.clinical[index] if data.clinical is not None else None
        loss, logits = train_step(model, optimizer, loss_fn, x, y, c)
        # Accumulated on the device: no host sync inside the step.
        loss_sum += loss.detach() * len(index)
        correct += (logits.detach().argmax(1) == y).sum()
        seen += len(index)
        if on_step:
            on_step(epoch, (step + 1) / len(steps))
    return {
        "train_loss": float(loss_sum) / max(1, seen),
        "train_accuracy": float(correct) / max(1, seen),
    }


def validate(model: nn.Module, data: DeviceSet, *, batch_size: int) -> dict[str, float]:
    """Loss (unweighted) and balanced accuracy on the validation images."""
    device = data.images.device
    logits = predict_logits(model, data.images, data.clinical, batch_size=batch_size, device=device)
    return {
        "val_loss": float(nn.CrossEntropyLoss()(logits, data.device_labels)),
        "val_balanced_accuracy": balanced_accuracy(data.labels, logits.argmax(1).cpu().numpy()),
    }


def step_reporter(callback: Callback | None, epochs: int) -> StepReport | None:
    """In-epoch progress for ``callback``, at most once every ``REPORT_INTERVAL`` seconds."""
    if callback is None:
        return None
    last = time.monotonic()

    def report(epoch: int, done: float) -> None:
        nonlocal last
        if time.monotonic() - last > REPORT_INTERVAL:
            last = time.monotonic()
            callback(EpochReport(epoch=epoch + 1, epochs=epochs, fraction=(epoch + done) / epochs))

    return report


def epoch_report(record: dict[str, Any], epochs: int) -> EpochReport:
    return EpochReport(
        epoch=record["epoch"],
        epochs=epochs,
        fraction=record["epoch"] / epochs,
        train_loss=record["train_loss"],
        train_accuracy=record["train_accuracy"],
        val_loss=record.get("val_loss"),
        val_balanced_accuracy=record.get("val_balanced_accuracy"),
        seconds=record["seconds"],
    )


def train(
    config: TrainConfig,
    train_data: TrainData,
    checkpoint: Path,
    *,
    device: torch.device | None = None,
    callback: Callback | None = None,
    stop_after_epoch: int | None = None,
    on_checkpoint: Callable[[TrainState], None] | None = None,
) -> TrainResult:
    """Train (or resume from ``checkpoint``) for ``config.epochs``; checkpoint after each epoch.

    ``on_checkpoint(state)`` hears of each checkpoint once it is whole on disk (a service copies
    it to shared storage and records the epoch). ``stop_after_epoch`` ends the call early, as
    an interrupted worker would, leaving the checkpoint to resume from. The returned model
    holds the best validation weights when there was a validation set, else the last ones.
    """
    device = device or pick_device()
    seed_everything(config.seed, deterministic=config.deterministic)
    model = to_device(model_from_config(config), device)
    optimizer = make_optimizer(config, model)
    scheduler = make_scheduler(config, optimizer)
    saver = Checkpointer(checkpoint)
    state = saver.resume(model, optimizer, scheduler, device)
    train_set, val_set = device_sets(train_data, use_clinical=config.use_clinical, device=device)
    validating = val_set.images.count > 0
    loss_fn = make_loss(config, train_data.train_labels, model.classifier.out_features, device)
    on_step = step_reporter(callback, config.epochs)
    stopped_early = False

    for epoch in range(state.epoch, config.epochs):
        if stop_after_epoch is not None and epoch >= stop_after_epoch:
            break
        started = time.monotonic()
        record: dict[str, Any] = {"epoch": epoch + 1}
        record.update(
            train_one_epoch(
                model, optimizer, loss_fn, train_set, config, epoch=epoch, on_step=on_step
            )
        )
        scheduler.step()
        record["lr"] = optimizer.param_groups[0]["lr"]
        improved = False
        if validating:
            record.update(validate(model, val_set, batch_size=config.batch_size))
            improved = state.record_score(record["val_balanced_accuracy"])
        record["seconds"] = time.monotonic() - started
        state.history.append(record)
        state.epoch = epoch + 1
        if improved:
            saver.save_best(model)
        saver.save(
            config=config, model=model, optimizer=optimizer, scheduler=scheduler, state=state
        )
        if on_checkpoint:
            on_checkpoint(state)
        if callback:
            callback(epoch_report(record, config.epochs))
        patience = config.early_stopping_patience
        if patience is not None and validating and state.since_best >= patience:
            stopped_early = True
            break

    if validating:
        saver.load_best(model, device)
    return TrainResult(
        model=model,
        history=state.history,
        best_score=state.best_score,
        epochs_run=len(state.history),
        stopped_early=stopped_early,
    )
