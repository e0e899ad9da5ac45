"""Inference throughput per architecture and size, and batch-1 latency, against the paper's
18.6 ms (low) and 21.46 ms (high) per image.

Full: cache read + normalisation + forward; raw: forward on a ready random tensor. Same model,
same device, same run. On CUDA: bf16 autocast and channels_last.

    python bench/infer_throughput.py                       # CPU: tiny settings
    python bench/infer_throughput.py --out bench/results/infer-h100.md   # GPU: 8 archs x 2 sizes
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
from classifier.inference import autocast, to_device
from classifier.nets import build_model
from classifier.training import seed_everything


def measure(
    arch: str,
    size: tuple[int, int],
    batch: int,
    images: D.DeviceImages,
    args: argparse.Namespace,
    device: torch.device,
) -> str:
    """One table row: batched full and raw inference of ``arch`` at ``size``, and batch 1."""
    model = to_device(build_model(arch), device).eval()
    cursor = [0]

    def forward(x: torch.Tensor) -> None:
        with torch.no_grad(), autocast(device):
            model(x)

    def full_step(n: int = batch) -> None:
        start = cursor[0] % (images.count - n + 1)
        cursor[0] += n
        index = torch.arange(start, start + n, device=device)
        forward(D.normalise(images.batch(index)))

    raw_x = D.normalise(torch.randint(0, 256, (batch, 3, size[1], size[0]), device=device).byte())

    def raw_step() -> None:
        forward(raw_x)

    def single_step() -> None:
        full_step(1)

    label = f"| {arch} | {size[0]}x{size[1]} | {batch} |"
    try:
        raw = batch / timed(raw_step, steps=args.steps, warmup=args.warmup, device=device)
        full = batch / timed(full_step, steps=args.steps, warmup=args.warmup, device=device)
        single = 1000 * timed(single_step, steps=3 * args.steps, warmup=args.warmup, device=device)
    except torch.OutOfMemoryError:
        return f"{label} out of memory | | | | |"
    return f"{label} {full:.0f} | {raw:.0f} | {full / raw:.3f} | {1000 / full:.2f} | {single:.2f} |"


def main() -> None:
    args = parse(__doc__.splitlines()[0])
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    seed_everything(0, deterministic=args.deterministic)
    lines = [
        f"Inference on {device_label(device)} "
        f"({'bf16 autocast, channels_last' if device.type == 'cuda' else 'float32'})",
        "",
        "| architecture | size | batch | full img/s | raw img/s | full/raw "
        "| ms/image batched | ms at batch 1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size_name in args.sizes.split(","):
            size = size_of(size_name)
            batch = 2 * batch_for(args, size)
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
