"""A trained network at work: the device, loading a run's model, probabilities, timing.

No Django here. Validation during training and prediction for the database both go through
``predict_logits``, so an image is never seen differently by the two.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from classifier import data as D
from classifier.checkpoints import Checkpointer
from classifier.nets import CLINICAL_FEATURES, NUM_CLASSES, LesionNet
from classifier.train_config import config_from_dict, model_from_config


def pick_device(preferred: str = "") -> torch.device:
    if preferred:
        return torch.device(preferred)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def to_device(model: LesionNet, device: torch.device) -> LesionNet:
    model = model.to(device)
    # channels_last only on CUDA: see classifier.data._layout.
    return model.to(memory_format=torch.channels_last) if device.type == "cuda" else model


def autocast(device: torch.device) -> torch.autocast:
    """bf16 autocast on CUDA; full float32 on the CPU, where bf16 is slow and changes results."""
    return torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")


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
        with autocast(device):
            outputs.append(model(x, c).float())
    if not outputs:
        return torch.zeros(0, NUM_CLASSES, device=device)
    return torch.cat(outputs)


def load_model(checkpoint: Path, device: torch.device | None = None) -> LesionNet:
    """The trained model of a run: its best validation weights if saved, else the last ones."""
    device = device or pick_device()
    saved = Checkpointer(checkpoint)
    state = saved.read(device)
    config = config_from_dict(state["config"])
    # The backbone's pretrained file is not needed: every weight comes from the checkpoint.
    model = model_from_config(replace(config, pretrained_file=""))
    if not saved.load_best(model, device):
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
    probabilities: np.ndarray = torch.softmax(logits.double(), dim=1).cpu().numpy()
    return probabilities


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
        with torch.no_grad(), autocast(device):
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
