"""Training throughput per architecture and size: the full step against the raw model step.

Full step: cache read (uint8 batch from the decoded cache on the device), GPU augmentation,
forward, backward, optimiser. Raw step: the same model and optimiser on a ready random float
tensor. Both in the same process on the same device; the ratio says how much the data path
costs. On CUDA: bf16 autocast and channels_last, as in training.

    python bench/train_throughput.py                       # CPU: tiny settings
    python bench/train_throughput.py --out bench/results/train-h100.md   # GPU: 8 archs x 2 sizes
"""

from __future__ import annotations

import torch
from classifier_common import Case, parse, run_table

from classifier import data as D
from classifier.inference import to_device
from classifier.nets import build_model
from classifier.training import train_step

COLUMNS = ("architecture", "size", "batch", "full step img/s", "raw step img/s", "full/raw")


def measure(case: Case) -> list[str]:
    """Full and raw training steps of the case's model."""
    device, images, batch = case.device, case.images, case.batch
    model = to_device(build_model(case.arch), device).train()
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

    raw_x = case.random_batch()
    raw_y = torch.randint(0, 7, (batch,), device=device)

    def raw_step() -> None:
        train_step(model, optimizer, loss_fn, raw_x, raw_y, None)

    raw = case.images_per_second(raw_step)
    full = case.images_per_second(full_step)
    return [f"{full:.0f}", f"{raw:.0f}", f"{full / raw:.3f}"]


def main() -> None:
    run_table(
        parse(__doc__.splitlines()[0]),
        title="Training throughput on {device}, images/s ({precision}, AdamW)",
        columns=COLUMNS,
        measure=measure,
    )


if __name__ == "__main__":
    main()
