"""A run's checkpoint: written atomically after every epoch, read back to resume exactly.

No Django here. ``checkpoint.pt`` holds the config, the weights, the optimiser's and the
scheduler's states, every RNG state, the epoch and the history; ``best.pt`` beside it holds the
weights of the best validation epoch, which inference prefers.
"""

from __future__ import annotations

import os
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from classifier.train_config import TrainConfig


def save_atomic(obj: object, path: Path) -> None:
    """Write then rename: a worker killed mid-write leaves the previous checkpoint whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def best_weights_path(checkpoint: Path) -> Path:
    return checkpoint.with_name("best.pt")


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


@dataclass
class TrainState:
    """Where a run stands besides its weights: epochs done, history, best validation score."""

    epoch: int = 0  # epochs finished
    history: list[dict[str, Any]] = field(default_factory=list)
    best_score: float | None = None
    since_best: int = 0  # epochs since the best score, for early stopping

    def record_score(self, score: float) -> bool:
        """Count a validation score; True when it is the best so far."""
        if self.best_score is None or score > self.best_score:
            self.best_score, self.since_best = score, 0
            return True
        self.since_best += 1
        return False


@dataclass(frozen=True)
class Checkpointer:
    """The checkpoint of one run at ``path`` and its best weights beside it."""

    path: Path

    @property
    def best_path(self) -> Path:
        return best_weights_path(self.path)

    def read(self, device: torch.device) -> dict[str, Any]:
        state: dict[str, Any] = torch.load(self.path, map_location=device, weights_only=False)
        return state

    def resume(
        self,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        scheduler: torch.optim.lr_scheduler.LRScheduler,
        device: torch.device,
    ) -> TrainState:
        """Restore weights, optimiser, scheduler and RNGs from the checkpoint if there is one.

        The RNGs come back as they were after the saved epoch, so the resumed run draws
        exactly what an uninterrupted one would have.
        """
        if not self.path.exists():
            return TrainState()
        state = self.read(device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        _set_rng_state(state["rng"])
        return TrainState(
            epoch=state["epoch"],
            history=state["history"],
            best_score=state["best_score"],
            since_best=state["since_best"],
        )

    def save(
        self,
        *,
        config: TrainConfig,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        scheduler: torch.optim.lr_scheduler.LRScheduler,
        state: TrainState,
    ) -> None:
        save_atomic(
            {
                "config": asdict(config),
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "rng": _rng_state(),
                "epoch": state.epoch,
                "history": state.history,
                "best_score": state.best_score,
                "since_best": state.since_best,
            },
            self.path,
        )

    def save_best(self, model: nn.Module) -> None:
        save_atomic(model.state_dict(), self.best_path)

    def load_best(self, model: nn.Module, device: torch.device) -> bool:
        """Load the best validation weights into ``model``; False when none were saved."""
        if not self.best_path.exists():
            return False
        model.load_state_dict(torch.load(self.best_path, map_location=device, weights_only=True))
        return True
