"""What the two classifier benchmarks share: options, a synthetic decoded cache, the timing,
and the loop over architectures and sizes that prints their table. Each bench gives its title,
its columns and how it measures one case (``Case``).

A library for ``infer_throughput.py`` and ``train_throughput.py``, not a bench of its own.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier import data as D
from classifier.nets import PAPER_ARCHITECTURES
from classifier.training import seed_everything
from lesions.codes import RESOLUTIONS


def parse(description: str) -> argparse.Namespace:
    cuda = torch.cuda.is_available()
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--archs",
        default=",".join(PAPER_ARCHITECTURES) if cuda else "mobilenetv2_100,resnet34",
        help="comma-separated timm names (default: the paper's eight on a GPU, two on a CPU)",
    )
    parser.add_argument(
        "--sizes",
        default="low,high" if cuda else "tiny",
        help="comma-separated: low (300x224), high (600x450), tiny (96x72), or WxH",
    )
    parser.add_argument("--batch-low", type=int, default=64 if cuda else 8)
    parser.add_argument("--batch-high", type=int, default=32 if cuda else 4)
    parser.add_argument("--steps", type=int, default=15 if cuda else 3, help="timed steps")
    parser.add_argument("--warmup", type=int, default=5 if cuda else 1)
    parser.add_argument("--images", type=int, default=1024 if cuda else 32, help="cache size")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (CPU runs)")
    parser.add_argument("--deterministic", action="store_true", help="deterministic kernels")
    parser.add_argument("--out", default="", help="also write the table (Markdown) here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args


def size_of(name: str) -> tuple[int, int]:
    if name in RESOLUTIONS:
        return RESOLUTIONS[name]
    if name == "tiny":
        return (96, 72)
    width, height = name.lower().split("x")
    return (int(width), int(height))


def batch_for(args: argparse.Namespace, size: tuple[int, int]) -> int:
    return args.batch_high if size[0] * size[1] > 300 * 224 else args.batch_low


def synthetic_cache(folder: Path, count: int, size: tuple[int, int]) -> np.ndarray:
    """A decoded cache file of random pixels, read back through a memmap like a real one."""
    width, height = size
    path = folder / f"bench-{width}x{height}.u8"
    rng = np.random.default_rng(0)
    out = np.memmap(path, dtype=np.uint8, mode="w+", shape=(count, height, width, 3))
    for start in range(0, count, 64):
        out[start : start + 64] = rng.integers(
            0, 256, out[start : start + 64].shape, dtype=np.uint8
        )
    out.flush()
    return np.memmap(path, dtype=np.uint8, mode="r", shape=(count, height, width, 3))


def timed(step: Callable[[], object], *, steps: int, warmup: int, device: torch.device) -> float:
    """Seconds per call of ``step`` after ``warmup`` calls; one sync at each end."""
    for _ in range(warmup):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    started = time.perf_counter()
    for _ in range(steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (time.perf_counter() - started) / steps


def device_label(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"CPU, {torch.get_num_threads()} threads ({os.cpu_count()} cores)"


def free(device: torch.device) -> None:
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()


def emit(lines: list[str], out: str) -> None:
    text = "\n".join(lines) + "\n"
    print(text, flush=True)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text)


@dataclass(frozen=True)
class Case:
    """One row of a table: an architecture at a size and batch, on the cached images."""

    arch: str
    size: tuple[int, int]
    batch: int
    images: D.DeviceImages
    device: torch.device
    args: argparse.Namespace

    def images_per_second(self, step: Callable[[], object]) -> float:
        args = self.args
        return self.batch / timed(step, steps=args.steps, warmup=args.warmup, device=self.device)

    def random_batch(self) -> torch.Tensor:
        """A ready normalised batch of random pixels: the raw step's input."""
        width, height = self.size
        pixels = torch.randint(0, 256, (self.batch, 3, height, width), device=self.device)
        return D.normalise(pixels.byte())


Measure = Callable[[Case], Sequence[str]]


def run_table(
    args: argparse.Namespace,
    *,
    title: str,
    columns: Sequence[str],
    measure: Measure,
    batch_scale: int = 1,
) -> None:
    """Measure every architecture at every size and print the table (and write it to --out).

    ``title`` may name ``{device}`` and ``{precision}``; ``columns`` start with architecture,
    size and batch, and ``measure`` gives the cells of the other columns for one case.
    """
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    seed_everything(0, deterministic=args.deterministic)
    precision = "bf16 autocast, channels_last" if device.type == "cuda" else "float32"
    lines = [
        title.format(device=device_label(device), precision=precision),
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size_name in args.sizes.split(","):
            size = size_of(size_name)
            batch = batch_scale * batch_for(args, size)
            cache = synthetic_cache(Path(tmp), args.images, size)
            images = D.DeviceImages(cache, np.arange(args.images), device)
            for arch in args.archs.split(","):
                label = f"| {arch} | {size[0]}x{size[1]} | {batch} |"
                try:
                    cells = measure(Case(arch, size, batch, images, device, args))
                    row = f"{label} " + " | ".join(cells) + " |"
                except torch.OutOfMemoryError:
                    row = f"{label} out of memory |" + " |" * (len(columns) - 4)
                print(row, flush=True)
                lines.append(row)
                free(device)
            del images
            free(device)
    emit(lines, args.out)
