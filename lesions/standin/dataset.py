"""A whole stand-in image set in the HAM10000 layout, drawn from a metadata file.

``HAM10000_metadata.csv`` (the chosen rows, columns as given) plus ``HAM10000_images_part_1/``
and ``HAM10000_images_part_2/`` holding ``<image_id>.jpg``, as in the published download, so the
importer takes it unchanged. Plain module: no Django.
"""

from __future__ import annotations

import csv
import multiprocessing
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lesions.codes import DIAGNOSES
from lesions.standin.render import render_jpeg

SHIPPED_METADATA = Path(__file__).parents[1] / "data" / "HAM10000_metadata.csv"
PARTS = ("HAM10000_images_part_1", "HAM10000_images_part_2")
Row = dict[str, str]


def read_rows(path: Path) -> tuple[list[str], list[Row]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def stratified_subset(rows: list[Row], limit: int, seed: int = 0) -> list[Row]:
    """About ``limit`` rows with the class proportions of ``rows``, taking whole lesions only.

    Each class gets its share (largest remainders, at least one lesion per class present);
    lesions are visited in a seeded random order and taken while they fit the share, so the
    total is ``limit`` or a few images short of it where multi-image lesions do not fit.
    """
    if limit >= len(rows):
        return list(rows)
    lesions: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        lesions[row["dx"]][row["lesion_id"]].append(row)
    totals = {dx: sum(len(v) for v in by_lesion.values()) for dx, by_lesion in lesions.items()}
    shares = {dx: limit * n / len(rows) for dx, n in totals.items()}
    quota = {dx: max(1, int(share)) for dx, share in shares.items()}
    by_remainder = sorted(shares, key=lambda d: shares[d] - int(shares[d]), reverse=True)
    for dx in by_remainder[: max(0, limit - sum(quota.values()))]:
        quota[dx] += 1
    # The one-lesion minimum of rare classes is paid for by the largest class.
    largest = max(quota, key=lambda d: quota[d])
    quota[largest] -= max(0, sum(quota.values()) - limit)
    chosen: set[str] = set()
    shuffler = random.Random(seed)
    for dx in sorted(lesions):
        ids = sorted(lesions[dx])
        shuffler.shuffle(ids)
        taken = 0
        for lesion_id in ids:
            size = len(lesions[dx][lesion_id])
            if taken + size <= quota[dx]:
                chosen.update(r["image_id"] for r in lesions[dx][lesion_id])
                taken += size
            if taken >= quota[dx]:
                break
        if taken == 0:  # every lesion is larger than the share: take the smallest
            smallest = min(ids, key=lambda i: len(lesions[dx][i]))
            chosen.update(r["image_id"] for r in lesions[dx][smallest])
    return [row for row in rows if row["image_id"] in chosen]


@dataclass(frozen=True)
class _Job:
    row: Row
    path: Path
    seed: int


def _render_one(job: _Job) -> str:
    job.path.write_bytes(render_jpeg(job.row, job.seed))
    return job.row["dx"]


def write_standin_set(
    *,
    metadata: Path,
    out: Path,
    limit: int | None = None,
    seed: int = 0,
    processes: int = 2,
    progress: Callable[[Iterable[str], int], Iterable[str]] | None = None,
) -> dict[str, int]:
    """Render the set into ``out``; returns images per diagnosis. Existing JPEGs are kept.

    A JPEG already on disk is the same drawing (rendering is deterministic), so an interrupted
    run resumes where it stopped.
    """
    columns, rows = read_rows(metadata)
    if limit is not None:
        rows = stratified_subset(rows, limit, seed)
    out.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        (out / part).mkdir(exist_ok=True)
    ordered = sorted(rows, key=lambda r: r["image_id"])
    half = (len(ordered) + 1) // 2
    jobs: list[_Job] = []
    counts = dict.fromkeys(DIAGNOSES, 0)
    for index, row in enumerate(ordered):
        counts[row["dx"]] = counts.get(row["dx"], 0) + 1
        path = out / PARTS[0 if index < half else 1] / f"{row['image_id']}.jpg"
        if not path.exists():
            jobs.append(_Job(row=row, path=path, seed=seed))
    with (out / "HAM10000_metadata.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    if jobs:
        if processes > 1:
            # Workers write the files themselves: only the diagnosis comes back.
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                done = pool.imap_unordered(_render_one, jobs, chunksize=8)
                for _ in progress(done, len(jobs)) if progress else done:
                    pass
        else:
            done_serial = map(_render_one, jobs)
            for _ in progress(done_serial, len(jobs)) if progress else done_serial:
                pass
    return counts
