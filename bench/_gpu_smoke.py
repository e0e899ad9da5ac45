"""A short training run on the GPU path (device-resident cache, GPU augmentation, bf16,
channels_last, checkpoint and resume) on toy images; prints what it measured."""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier.inference import predict, time_inference
from classifier.metrics import evaluate
from classifier.nets import clinical_matrix
from classifier.train_config import TrainConfig
from classifier.training import TrainData, train


def toy(n_per_class: int, size: tuple[int, int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    width, height = size
    labels = np.repeat(np.arange(7), n_per_class)
    colours = rng.integers(40, 220, (7, 3))
    yy, xx = np.mgrid[0:height, 0:width]
    images = np.empty((len(labels), height, width, 3), dtype=np.uint8)
    for i, y in enumerate(labels):
        img = np.full((height, width, 3), (225, 180, 160), float) + rng.normal(
            0, 12, (height, width, 3)
        )
        cy, cx, r = rng.uniform(0.35, 0.65) * height, rng.uniform(0.35, 0.65) * width, 0.3 * height
        blob = (yy - cy) ** 2 + (xx - cx) ** 2 < r**2
        img[blob] = colours[y] + rng.normal(0, 25, (int(blob.sum()), 3))
        images[i] = img.clip(0, 255)
    return images, labels


def main() -> None:
    device = torch.device("cuda")
    size = (300, 224)
    images, labels = toy(60, size)
    is_val = np.tile(np.arange(60) >= 45, 7)
    tr, va = np.flatnonzero(~is_val), np.flatnonzero(is_val)
    clinical = clinical_matrix([50.0] * len(labels), ["male"] * len(labels), ["back"] * len(labels))
    data = TrainData(images, tr, labels[tr], clinical[tr], va, labels[va], clinical[va])
    config = TrainConfig(architecture="resnet34", size=size, epochs=4, batch_size=32, lr=1e-3,
                         use_clinical=True, seed=3)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = train(config, data, Path(tmp) / "a" / "checkpoint.pt", device=device)
        seconds = time.perf_counter() - started
        probabilities = predict(result.model, images, va, clinical[va], device=device)
        numbers = evaluate(labels[va], probabilities)
        print(f"GPU train: {result.epochs_run} epochs in {seconds:.1f} s, held-out balanced "
              f"accuracy {numbers['balanced_accuracy']:.3f}")  # fmt: skip
        train(config, data, Path(tmp) / "b" / "checkpoint.pt", device=device, stop_after_epoch=2)
        train(config, data, Path(tmp) / "b" / "checkpoint.pt", device=device)
        a = torch.load(Path(tmp) / "a" / "checkpoint.pt", weights_only=False)["model"]
        b = torch.load(Path(tmp) / "b" / "checkpoint.pt", weights_only=False)["model"]
        same = all(torch.equal(a[k], b[k]) for k in a)
        diff = max(float((a[k].float() - b[k].float()).abs().max()) for k in a)
        print(f"GPU resume: identical weights {same} (largest difference {diff:.3g})")
        batched, single = time_inference(result.model, size, device=device)
        print(
            f"GPU inference resnet34 300x224: {batched:.3f} ms/image batched, {single:.2f} ms at 1"
        )
        fast = replace(config, deterministic=False)
        started = time.perf_counter()
        train(fast, data, Path(tmp) / "c" / "checkpoint.pt", device=device)
        print(f"GPU train, non-deterministic kernels: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
