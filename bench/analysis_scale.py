"""How long a study's full report takes as readers grow (readers x 200 cases, 2 phases).

A full report: metrics per phase and reader, paired tests with bootstrap intervals, AI-follow,
timing, the OR-Hillis MRMC analysis, the summary CSVs (readers, per class) and every figure as
SVG. The per-reading exports (readings.csv, imrmc.csv: one row per reading) are timed apart.
Readings are simulated (analysis.simulate); generating them is not timed.

    python bench/analysis_scale.py                      # 100 and 1,000 readers
    python bench/analysis_scale.py --readers 100 1000 10000
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def run(readers: int, cases_per_phase: int, seed: int) -> dict[str, float]:
    from analysis import exports, plots, readings_report, simulate

    frame = simulate.simulate_study(n_readers=readers, n_cases=cases_per_phase, seed=seed)
    times: dict[str, float] = {"readings": float(len(frame))}
    started = time.perf_counter()
    report = readings_report.study_report(frame, include_simulated=True)
    times["report"] = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        mark = time.perf_counter()
        exports.write_readers(report, folder / "readers.csv")
        exports.write_per_class(report, folder / "per_class.csv")
        for figure in plots.report_figures(report).values():
            plots.to_svg(figure)
        times["figures"] = time.perf_counter() - mark
        times["total"] = time.perf_counter() - started
        mark = time.perf_counter()
        exports.write_long(frame, folder / "readings.csv", include_simulated=True)
        exports.write_imrmc(frame, folder / "imrmc.csv", include_simulated=True)
        times["readings_csv"] = time.perf_counter() - mark
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--cases", type=int, default=200, help="cases per reader, both phases")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    header = f"{'readers':>8} {'readings':>10} {'report s':>9} {'figs+csv s':>10}"
    print(header + f" {'total s':>8} {'growth':>7} {'per-reading csv s':>18}")
    previous: tuple[int, float] | None = None
    for readers in args.readers:
        t = run(readers, args.cases // 2, args.seed)
        growth = ""
        if previous is not None:
            # Time ratio over size ratio: 1.0 is linear, below 1 better than linear.
            growth = f"{(t['total'] / previous[1]) / (readers / previous[0]):.2f}"
        print(
            f"{readers:>8} {int(t['readings']):>10} {t['report']:>9.2f} {t['figures']:>10.2f} "
            f"{t['total']:>8.2f} {growth:>7} {t['readings_csv']:>18.2f}",
            flush=True,
        )
        previous = (readers, t["total"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
