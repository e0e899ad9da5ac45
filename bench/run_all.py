"""Run every benchmark in bench/ with its small default settings and print their tables.

Each script is standalone (``python bench/<name>.py --help`` gives its options, e.g. sizes for a
GPU run); this runner only calls them one after another, so one failing still lets the rest run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# This runner, and the library the two classifier benches share.
NOT_BENCHES = {"run_all.py", "classifier_common.py"}


def main() -> int:
    scripts = sorted(p for p in BENCH_DIR.glob("*.py") if p.name not in NOT_BENCHES)
    scripts = [p for p in scripts if not p.name.startswith("_")]
    failed: list[str] = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=BENCH_DIR.parent, check=False)
        print(f"--- {script.name}: exit {result.returncode}, {time.perf_counter() - started:.1f} s")
        if result.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
