"""How fast the stand-in renderer draws: per image, and a whole set over 1 and 2 processes.

python bench/render_speed.py               # 300 images (quick)
python bench/render_speed.py --images 10015   # the whole HAM10000 metadata
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lesions import standin
from lesions.standin_set import SHIPPED_METADATA, read_rows, write_standin_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    rows = read_rows(SHIPPED_METADATA)[1][:60]
    started = time.perf_counter()
    for row in rows:
        standin.render(row)
    draw_ms = (time.perf_counter() - started) / len(rows) * 1000
    started = time.perf_counter()
    for row in rows:
        standin.render_jpeg(row)
    jpeg_ms = (time.perf_counter() - started) / len(rows) * 1000

    print(f"machine: {os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f}")
    print(f"{'step':<34}{'images':>8}{'seconds':>10}{'images/s':>10}{'ms/image':>10}")
    print(
        f"{'draw (1 process)':<34}{len(rows):>8}{draw_ms * len(rows) / 1000:>10.2f}"
        f"{1000 / draw_ms:>10.1f}{draw_ms:>10.1f}"
    )
    print(
        f"{'draw + JPEG encode (1 process)':<34}{len(rows):>8}{jpeg_ms * len(rows) / 1000:>10.2f}"
        f"{1000 / jpeg_ms:>10.1f}{jpeg_ms:>10.1f}"
    )
    for processes in args.processes:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            counts = write_standin_set(
                metadata=SHIPPED_METADATA,
                out=Path(folder),
                limit=args.images,
                processes=processes,
            )
            seconds = time.perf_counter() - started
        n = sum(counts.values())
        label = f"whole set, written ({processes} proc.)"
        print(f"{label:<34}{n:>8}{seconds:>10.2f}{n / seconds:>10.1f}{seconds / n * 1000:>10.1f}")


if __name__ == "__main__":
    main()
