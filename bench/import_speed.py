"""How fast import_ham10000 takes an image set: check, store, re-import, split.

Renders a stand-in set first (or takes --set DIR, a HAM10000-layout folder) and imports it into
a throwaway SQLite database and media folder, unless --database-url points elsewhere.

    python bench/import_speed.py                 # 500 images (quick)
    python bench/import_speed.py --images 10015  # the whole set
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--set", default="", help="an existing HAM10000-layout folder")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from lesions.ham10000 import check_image_set
    from lesions.models import Dataset
    from lesions.services import dataset_import, dataset_split
    from lesions.standin.dataset import PARTS, SHIPPED_METADATA, write_standin_set

    call_command("migrate", verbosity=0)
    Dataset.objects.filter(name="bench").delete()
    if args.set:
        folder = Path(args.set)
    else:
        folder = work / "set"
        print(f"rendering {args.images} stand-in images into {folder} ...", flush=True)
        write_standin_set(metadata=SHIPPED_METADATA, out=folder, limit=args.images)
    metadata = folder / "HAM10000_metadata.csv"
    dirs = [folder / part for part in PARTS]

    timings: list[tuple[str, int, float]] = []
    started = time.perf_counter()
    check = check_image_set(metadata, dirs)
    timings.append(("check only (headers, hashes)", check.rows, time.perf_counter() - started))
    started = time.perf_counter()
    result = dataset_import(metadata=metadata, image_dirs=dirs, dataset_name="bench")
    timings.append(("import (check + store)", result.created, time.perf_counter() - started))
    started = time.perf_counter()
    again = dataset_import(metadata=metadata, image_dirs=dirs, dataset_name="bench")
    timings.append(("re-import (nothing changes)", again.unchanged, time.perf_counter() - started))
    started = time.perf_counter()
    dataset_split(dataset=Dataset.objects.get(name="bench"))
    timings.append(("make_splits", result.created, time.perf_counter() - started))

    vendor = django.db.connection.vendor
    print(f"machine: {os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f}; {vendor}")
    print(f"{'step':<32}{'images':>8}{'seconds':>10}{'images/s':>10}")
    for step, n, seconds in timings:
        print(f"{step:<32}{n:>8}{seconds:>10.2f}{n / seconds:>10.0f}")
    if not args.database_url:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
