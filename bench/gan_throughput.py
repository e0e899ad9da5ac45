"""Images per second of the GAN's critic and generator steps, phase by phase.

Each phase is timed on random real images at the preset's batch size for that phase, after a
few warm-up steps, with the new block fully faded in. The critic step includes the gradient
penalty (fp32, its double backward) and the generator step the forward pass through the critic.

    python bench/gan_throughput.py                       # CPU: cpu-demo preset to 32x32
    python bench/gan_throughput.py --preset paper --final-size 512 --out gan-h100.md
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gan.training import PRESETS, Trainer, preset


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cuda = torch.cuda.is_available()
    parser.add_argument("--preset", choices=PRESETS, default="paper" if cuda else "cpu-demo")
    parser.add_argument("--final-size", type=int, default=512 if cuda else 32)
    parser.add_argument("--steps", type=int, default=20 if cuda else 5)
    parser.add_argument("--warmup", type=int, default=5 if cuda else 1)
    parser.add_argument("--out", default="", help="also write the table (markdown) here")
    args = parser.parse_args()

    device = torch.device("cuda" if cuda else "cpu")
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    config = preset(args.preset, final_size=args.final_size)
    size = config.net.final_size
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (64, size, size, 3), dtype=np.uint8)
    labels = rng.integers(0, 7, 64)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(config, images, labels, Path(tmp), device=device)
        name = torch.cuda.get_device_name() if cuda else f"CPU ({torch.get_num_threads()} threads)"
        lines = [
            f"GAN throughput, preset {args.preset}, {name}, torch {torch.__version__}"
            + (", bf16 autocast" if cuda else ""),
            "",
            "| phase | size | batch | critic img/s | generator img/s | both img/s |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        print("\n".join(lines), flush=True)
        for phase in range(config.net.n_phases):
            n = config.batch_size(phase)
            timings = {}
            for label, step in (
                ("critic", trainer.critic_step),
                ("generator", trainer.generator_step),
            ):
                for _ in range(args.warmup):
                    step(phase, 1.0, n)
                sync(device)
                start = time.perf_counter()
                for _ in range(args.steps):
                    step(phase, 1.0, n)
                sync(device)
                timings[label] = (time.perf_counter() - start) / args.steps
            both = n / (timings["critic"] + timings["generator"])
            line = (
                f"| {phase} | {config.net.resolution(phase)} | {n} | "
                f"{n / timings['critic']:,.0f} | {n / timings['generator']:,.0f} | {both:,.0f} |"
            )
            lines.append(line)
            print(line, flush=True)
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
