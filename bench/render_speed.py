"""How fast the stand-in renderer draws: per image, and a whole set over 1 and 2 processes.

python bench/render_speed.py               # 300 images (quick)
python bench/render_speed.py --images 10015   # the whole HAM10000 metadata
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lesions.standin.dataset import SHIPPED_METADATA, read_rows, write_standin_set
from lesions.standin.render import render, render_jpeg


def cpu_seconds() -> float:
    """CPU time of this process and its finished children: unlike wall time, it does not
    depend on what else the machine is running."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    rows = read_rows(SHIPPED_METADATA)[1][:60]
    table: list[tuple[str, int, float, float]] = []
    for label, draw in (
        ("draw (1 process)", render),
        ("draw + JPEG encode (1 process)", render_jpeg),
    ):
        wall, cpu = time.perf_counter(), cpu_seconds()
        for row in rows:
            draw(row)
        table.append((label, len(rows), time.perf_counter() - wall, cpu_seconds() - cpu))
    for processes in args.processes:
        with tempfile.TemporaryDirectory() as folder:
            wall, cpu = time.perf_counter(), cpu_seconds()
            counts = write_standin_set(
                metadata=SHIPPED_METADATA, out=Path(folder), limit=args.images, processes=processes
            )
            label = f"whole set, written ({processes} proc.)"
            n = sum(counts.values())
            table.append((label, n, time.perf_counter() - wall, cpu_seconds() - cpu))

    print(f"machine: {os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f}")
    print(f"{'step':<34}{'images':>8}{'wall s':>9}{'images/s':>10}{'CPU s':>8}{'CPU ms/img':>12}")
    for label, n, seconds, cpu in table:
        print(
            f"{label:<34}{n:>8}{seconds:>9.2f}{n / seconds:>10.1f}"
            f"{cpu:>8.1f}{cpu / n * 1000:>12.1f}"
        )


if __name__ == "__main__":
    main()
