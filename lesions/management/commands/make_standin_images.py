"""Draw stand-in dermoscopy images for a HAM10000 metadata file, in the published layout."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lesions.standin.dataset import SHIPPED_METADATA, write_standin_set


class Command(BaseCommand):
    help = (
        "Render a 600x450 stand-in JPEG for each metadata row into OUT "
        "(HAM10000_metadata.csv, HAM10000_images_part_1/, HAM10000_images_part_2/)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--metadata", default=str(SHIPPED_METADATA), help="HAM10000_metadata.csv to draw"
        )
        parser.add_argument("--out", required=True, help="folder to write the image set into")
        parser.add_argument(
            "--limit", type=int, default=None, help="a subset stratified by diagnosis"
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--processes", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        metadata = Path(options["metadata"])
        if not metadata.is_file():
            raise CommandError(f"metadata file not found: {metadata}")
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1")

        def bar(items: Iterable[str], total: int) -> Iterable[str]:
            return tqdm(items, total=total, desc="rendering", unit="img", file=sys.stderr)

        started = time.perf_counter()
        counts = write_standin_set(
            metadata=metadata,
            out=Path(options["out"]),
            limit=options["limit"],
            seed=options["seed"],
            processes=max(1, options["processes"]),
            progress=bar,
        )
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{dx} {n}" for dx, n in counts.items())
        self.stdout.write(
            f"{sum(counts.values())} images in {options['out']} ({summary}) in {elapsed:.1f} s"
        )
