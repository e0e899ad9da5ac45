"""Import an image set in the HAM10000 layout, checking every row first."""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from core.csv import escape_formula
from lesions.ham10000 import Problem
from lesions.services import ImportRefused, ImportResult, StorageFailed, dataset_import

T = TypeVar("T")


def write_report(path: Path, problems: list[Problem]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "image_id", "kind", "reason"])
        for p in problems:
            kind = "error" if p.is_error else "warning"
            writer.writerow([p.row, escape_formula(p.image_id), kind, escape_formula(p.reason)])


class Command(BaseCommand):
    help = (
        "Import HAM10000_metadata.csv and its images. All or nothing: any error stores nothing "
        "and exits non-zero, unless --skip-invalid. Re-importing the same files changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--metadata", required=True, help="the metadata CSV (7 or 8 columns)")
        parser.add_argument(
            "--images", required=True, nargs="+", help="folder(s) holding <image_id>.jpg"
        )
        parser.add_argument("--dataset", default="ham10000", help="data set name (a slug)")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="store the valid rows, report the rest"
        )
        parser.add_argument("--report", default="", help="also write the problems to this CSV")
        parser.add_argument(
            "--max-megapixels",
            type=float,
            default=None,
            help="refuse images above this many megapixels (default: IMAGE_MAX_PIXELS, 50)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def bar(items: Iterable[T], total: int, label: str) -> Iterable[T]:
            return tqdm(
                items,
                total=total,
                desc=label,
                unit="img",
                file=sys.stderr,
                disable=options["verbosity"] < 1,
            )

        megapixels = options["max_megapixels"]
        if megapixels is not None and not 0 < megapixels <= 10_000:
            raise CommandError(f"--max-megapixels must be in (0, 10000], not {megapixels}")
        max_pixels = None if megapixels is None else round(megapixels * 1e6)
        started = time.perf_counter()
        try:
            result = dataset_import(
                metadata=Path(options["metadata"]),
                image_dirs=[Path(p) for p in options["images"]],
                dataset_name=options["dataset"],
                skip_invalid=options["skip_invalid"],
                progress=bar,
                max_pixels=max_pixels,
            )
        except StorageFailed as error:
            raise CommandError(str(error)) from None
        except ImportRefused as refused:
            self._report(refused.result, options["report"])
            raise CommandError(
                f"{len(refused.result.errors)} error(s) in {options['metadata']}: nothing was "
                "stored (fix them, or store the valid rows with --skip-invalid)"
            ) from None
        self._report(result, options["report"])
        skipped = len({p.row for p in result.errors})
        self.stdout.write(
            f"{result.dataset}: {result.created} images stored, {result.unchanged} unchanged, "
            f"{skipped} rows skipped, {len(result.warnings)} warnings, of {result.rows} rows "
            f"in {time.perf_counter() - started:.1f} s"
        )

    def _report(self, result: ImportResult, report: str) -> None:
        for problem in result.problems:
            (self.stderr if problem.is_error else self.stdout).write(str(problem))
        if report:
            write_report(Path(report), result.problems)
            self.stdout.write(f"report written to {report}")
