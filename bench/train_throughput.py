"""Training throughput per architecture and size: the full step against the raw model step.

Full step: cache read (uint8 batch from the decoded cache on the device), GPU augmentation,
forward, backward, optimiser. Raw step: the same model and optimiser on a ready random float
tensor. Both in the same process on the same device; the ratio says how much the data path
costs. On CUDA: bf16 autocast and channels_last, as in training.

    python bench/train_throughput.py                       # CPU: tiny settings
    python bench/train_throughput.py --out bench/results/train-h100.md   # GPU: 8 archs x 2 sizes
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import torch
from _classifier_common import (
    batch_for,
    device_label,
    emit,
    free,
    parse,
    size_of,
    synthetic_cache,
    timed,
)

from classifier import data as D
from classifier.inference import to_device
from classifier.nets import build_model
from classifier.training import seed_everything, train_step


def measure(
    arch: str,
    size: tuple[int, int],
    batch: int,
    images: D.DeviceImages,
    args: argparse.Namespace,
    device: torch.device,
) -> str:
    """One table row: full and raw training steps of ``arch`` at ``size``."""
    model = to_device(build_model(arch), device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    loss_fn = torch.nn.CrossEntropyLoss()
    labels = torch.randint(0, 7, (images.count,), device=device)
    order = torch.randperm(images.count, device=device)
    generator = torch.Generator(device=device).manual_seed(0)
    cursor = [0]

    def full_step() -> None:
        start = cursor[0] % (images.count - batch + 1)
        cursor[0] += batch
        index = order[start : start + batch]
        x = D.augment(images.batch(index), generator)
        train_step(model, optimizer, loss_fn, x, labels[index], None)

    raw_x = D.normalise(torch.randint(0, 256, (batch, 3, size[1], size[0]), device=device).byte())
    raw_y = torch.randint(0, 7, (batch,), device=device)

    def raw_step() -> None:
        train_step(model, optimizer, loss_fn, raw_x, raw_y, None)

    label = f"| {arch} | {size[0]}x{size[1]} | {batch} |"
    try:
        raw = batch / timed(raw_step, steps=args.steps, warmup=args.warmup, device=device)
        full = batch / timed(full_step, steps=args.steps, warmup=args.warmup, device=device)
    except torch.OutOfMemoryError:
        return f"{label} out of memory | | |"
    return f"{label} {full:.0f} | {raw:.0f} | {full / raw:.3f} |"


def main() -> None:
    args = parse(__doc__.splitlines()[0])
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    seed_everything(0, deterministic=args.deterministic)
    lines = [
        f"Training throughput on {device_label(device)}, images/s "
        f"({'bf16 autocast, channels_last' if device.type == 'cuda' else 'float32'}, AdamW)",
        "",
        "| architecture | size | batch | full step img/s | raw step img/s | full/raw |",
        "|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size_name in args.sizes.split(","):
            size = size_of(size_name)
            batch = batch_for(args, size)
            cache = synthetic_cache(Path(tmp), args.images, size)
            images = D.DeviceImages(cache, np.arange(args.images), device)
            for arch in args.archs.split(","):
                row = measure(arch, size, batch, images, args, device)
                print(row, flush=True)
                lines.append(row)
                free(device)
            del images
            free(device)
    emit(lines, args.out)


if __name__ == "__main__":
    main()
