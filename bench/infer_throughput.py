"""Inference throughput per architecture and size, and batch-1 latency, against the paper's
18.6 ms (low) and 21.46 ms (high) per image.

Full: cache read + normalisation + forward; raw: forward on a ready random tensor. Same model,
same device, same run. On CUDA: bf16 autocast and channels_last.

    python bench/infer_throughput.py                       # CPU: tiny settings
    python bench/infer_throughput.py --out bench/results/infer-h100.md   # GPU: 8 archs x 2 sizes
"""

from __future__ import annotations

import torch
from classifier_common import Case, parse, run_table, timed

from classifier import data as D
from classifier.inference import autocast, to_device
from classifier.nets import build_model

COLUMNS = (
    "architecture", "size", "batch", "full img/s", "raw img/s", "full/raw", "ms/image batched",
    "ms at batch 1",
)  # fmt: skip


def measure(case: Case) -> list[str]:
    """Batched full and raw inference of the case's model, and batch-1 latency."""
    device, images = case.device, case.images
    model = to_device(build_model(case.arch), device).eval()
    cursor = [0]

    def forward(x: torch.Tensor) -> None:
        with torch.no_grad(), autocast(device):
            model(x)

    def full_step(n: int = case.batch) -> None:
        start = cursor[0] % (images.count - n + 1)
        cursor[0] += n
        index = torch.arange(start, start + n, device=device)
        forward(D.normalise(images.batch(index)))

    raw_x = case.random_batch()

    def raw_step() -> None:
        forward(raw_x)

    def single_step() -> None:
        full_step(1)

    raw = case.images_per_second(raw_step)
    full = case.images_per_second(full_step)
    args = case.args
    single = 1000 * timed(single_step, steps=3 * args.steps, warmup=args.warmup, device=device)
    return [f"{full:.0f}", f"{raw:.0f}", f"{full / raw:.3f}", f"{1000 / full:.2f}", f"{single:.2f}"]


def main() -> None:
    run_table(
        parse(__doc__.splitlines()[0]),
        title="Inference on {device} ({precision})",
        columns=COLUMNS,
        measure=measure,
        # Inference keeps no activations for a backward pass: twice the training batch fits.
        batch_scale=2,
    )


if __name__ == "__main__":
    main()
