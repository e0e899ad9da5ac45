"""The demo's image set: stand-in images for a stratified subset of HAM10000, imported and split.

Idempotent: rendered JPEGs stay in ``<data_dir>/standin`` between runs (only missing ones are
drawn), a re-import stores nothing new, and the split is made only while images lack one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TypeVar

from rich.console import Console
from rich.progress import track

from demo.options import DATASET, DemoOptions
from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image
from lesions.services import dataset_import, dataset_split
from lesions.splits import format_counts
from lesions.standin.dataset import PARTS, SHIPPED_METADATA, write_standin_set

T = TypeVar("T")


def setup(*, options: DemoOptions, out: Console) -> None:
    def bar(items: Iterable[T], total: int, label: str = "rendering") -> Iterable[T]:
        return track(items, total=total, description=label, console=out, transient=False)

    folder = options.data_dir / "standin"
    started = time.perf_counter()
    counts = write_standin_set(
        metadata=SHIPPED_METADATA,
        out=folder,
        limit=options.images,
        seed=options.seed,
        progress=bar,
    )
    out.print(
        f"{sum(counts.values())} stand-in images in {folder} "
        f"({time.perf_counter() - started:.0f} s)"
    )

    result = dataset_import(
        metadata=folder / "HAM10000_metadata.csv",
        image_dirs=[folder / part for part in PARTS],
        dataset_name=DATASET,
        skip_invalid=True,
        title="HAM10000 stand-in images",
        source="Drawn by lesions/standin/render.py for each row of the real HAM10000 metadata",
        progress=bar,
    )
    out.print(f"Data set {DATASET}: {result.created} images stored, {result.unchanged} unchanged")
    for problem in result.problems:
        out.print(f"  {problem}")

    dataset = Dataset.objects.get(name=DATASET)
    if Image.objects.filter(dataset=dataset, partition=None).exists():
        split = dataset_split(dataset=dataset, test_size=0.17, folds=5, seed=options.seed)
        labels = list(
            Image.objects.filter(dataset=dataset)
            .order_by("pk")
            .values_list("lesion__diagnosis", flat=True)
        )
        out.print(format_counts(split, labels, DIAGNOSES))
    else:
        out.print(f"Split already made (seed {dataset.split_seed}, {dataset.split_folds} folds)")
    out.print(f"[dim]Metadata: {dataset.credit}[/dim]")
