"""Writes to the catalogue: importing an image set and storing its splits."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from lesions import ham10000, splits
from lesions.ham10000 import CheckResult, Problem, ProblemReport, Progress, Record
from lesions.models import Dataset, Image, Lesion, image_upload_to

HAM10000_CREDIT = (
    "Tschandl P, Rosendahl C, Kittler H. The HAM10000 dataset, a large collection of "
    "multi-source dermatoscopic images of common pigmented skin lesions. Sci. Data 5, 180161 "
    "(2018), doi:10.1038/sdata.2018.161. Licence CC BY-NC 4.0."
)
HAM10000_SOURCE = "Harvard Dataverse, doi:10.7910/DVN/DBW86T"

# The fields a re-import compares with what is stored (model field, record attribute).
_COMPARED = (
    ("lesion__lesion_id", "lesion_id"),
    ("lesion__diagnosis", "dx"),
    ("dx_type", "dx_type"),
    ("age", "age"),
    ("sex", "sex"),
    ("localization", "localization"),
    ("source_dataset", "source_dataset"),
    ("sha256", "sha256"),
)


class ImportRefused(Exception):
    """The set has errors and the import is all or nothing: nothing was stored."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{len(result.errors)} error(s); nothing was stored")
        self.result = result


@dataclass
class ImportResult(ProblemReport):
    dataset: str
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


def _compare_with_stored(
    dataset: Dataset | None, check: CheckResult
) -> tuple[list[Record], int, list[Problem]]:
    """New records, the count of unchanged ones, and a problem for each changed one."""
    if dataset is None:
        return check.records, 0, []
    stored = {
        row["image_id"]: row
        for row in Image.objects.filter(dataset=dataset).values(
            "image_id", *(name for name, _ in _COMPARED)
        )
    }
    lesions = dict(Lesion.objects.filter(dataset=dataset).values_list("lesion_id", "diagnosis"))
    new: list[Record] = []
    unchanged = 0
    problems: list[Problem] = []
    for record in check.records:
        old = stored.get(record.image_id)
        if old is None:
            stored_dx = lesions.get(record.lesion_id)
            if stored_dx is not None and stored_dx != record.dx:
                reason = (
                    f"lesion {record.lesion_id} has two diagnoses: {record.dx} here, "
                    f"{stored_dx} already stored"
                )
                problems.append(Problem(record.row, record.image_id, reason))
            else:
                new.append(record)
            continue
        changes = [
            f"{attr} {old[name]!r} -> {getattr(record, attr)!r}"
            for name, attr in _COMPARED
            if old[name] != getattr(record, attr)
        ]
        if changes:
            reason = "changed since it was imported (not overwritten): " + "; ".join(changes)
            problems.append(Problem(record.row, record.image_id, reason))
        else:
            unchanged += 1
    return new, unchanged, problems


class StorageFailed(Exception):
    """The media store refused a file (read-only, full, gone): one line naming what and why."""

    @classmethod
    def from_os_error(cls, error: OSError) -> StorageFailed:
        where = error.filename or "the media store"
        cause = error.strerror or str(error)
        return cls(f"cannot write {where}: {cause}; nothing was stored")


def _write_files(images: list[Image], records: list[Record], progress: Progress[Any]) -> None:
    def write(pair: tuple[Image, Record]) -> None:
        image, record = pair
        # Cleaned again rather than kept from the check: holding 10,000 images in memory
        # costs more than reading them twice from the page cache.
        data = ham10000.read_clean(record.path).data
        # Through the storage API, so media on S3-compatible storage works the same way.
        image.file.name = default_storage.save(image.file.name, ContentFile(data))

    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in progress(
            pool.map(write, zip(images, records, strict=True)), len(images), "storing images"
        ):
            pass


def _no_progress(items: Iterable[object], total: int, label: str) -> Iterable[object]:
    return items


@transaction.atomic
def dataset_import(
    *,
    metadata: Path,
    image_dirs: list[Path],
    dataset_name: str,
    skip_invalid: bool = False,
    is_synthetic: bool = False,
    title: str = "",
    source: str = HAM10000_SOURCE,
    progress: Progress[Any] | None = None,
    max_pixels: int | None = None,
) -> ImportResult:
    """Import a HAM10000-layout image set into ``dataset_name``.

    All or nothing unless ``skip_invalid``: any error raises ``ImportRefused`` before anything
    is written. Rows already stored unchanged are left alone; a stored row that differs is
    reported, never overwritten. Images are stored cleaned of metadata, named by public id.
    Images above ``max_pixels`` (default: the IMAGE_MAX_PIXELS setting) are refused by row.
    A media store that cannot be written raises ``StorageFailed`` naming the file and the
    cause, and nothing is stored.
    """
    bar: Progress[Any] = progress or _no_progress
    limit = settings.IMAGE_MAX_PIXELS if max_pixels is None else max_pixels
    check = ham10000.check_image_set(metadata, image_dirs, progress=bar, max_pixels=limit)
    dataset = Dataset.objects.select_for_update().filter(name=dataset_name).first()
    new, unchanged, changed = _compare_with_stored(dataset, check)
    result = ImportResult(
        dataset=dataset_name,
        rows=check.rows,
        unchanged=unchanged,
        problems=sorted(check.problems + changed, key=lambda p: p.row),
    )
    if result.errors and not skip_invalid:
        raise ImportRefused(result)
    if not new:
        return result
    if dataset is None:
        dataset = Dataset.objects.create(
            name=dataset_name,
            title=title or dataset_name,
            source=source,
            credit=HAM10000_CREDIT,
            licence="CC BY-NC 4.0",
            is_synthetic=is_synthetic,
        )
    _store(dataset, new, bar)
    result.created = len(new)
    return result


def _store(dataset: Dataset, records: list[Record], progress: Progress[Any]) -> None:
    existing = dict(Lesion.objects.filter(dataset=dataset).values_list("lesion_id", "pk"))
    fresh = {
        r.lesion_id: Lesion(dataset=dataset, lesion_id=r.lesion_id, diagnosis=r.dx)
        for r in records
        if r.lesion_id not in existing
    }
    Lesion.objects.bulk_create(fresh.values(), batch_size=1000)
    # PostgreSQL returns the new keys from bulk_create; SQLite 3.35+ does too.
    existing.update({lesion.lesion_id: lesion.pk for lesion in fresh.values()})
    images = []
    for record in records:
        image = Image(
            dataset=dataset,
            lesion_id=existing[record.lesion_id],
            image_id=record.image_id,
            width=record.width,
            height=record.height,
            sha256=record.sha256,
            age=record.age,
            sex=record.sex,
            localization=record.localization,
            dx_type=record.dx_type,
            source_dataset=record.source_dataset,
        )
        image.file.name = image_upload_to(image, "")
        images.append(image)
    try:
        _write_files(images, records, progress)
        Image.objects.bulk_create(images, batch_size=1000)
    except BaseException as error:
        # The transaction rolls the rows back; the files must go with them.
        for image in images:
            if image.file.name:  # named above, before anything was written
                with contextlib.suppress(OSError):  # a read-only store wrote none of them
                    default_storage.delete(image.file.name)
        if isinstance(error, OSError):
            raise StorageFailed.from_os_error(error) from error
        raise


@transaction.atomic
def dataset_split(
    *, dataset: Dataset, test_size: float = 0.17, folds: int = 5, seed: int = 0
) -> splits.Split:
    """Assign every image of ``dataset`` to the test partition or a training fold."""
    rows = list(
        Image.objects.filter(dataset=dataset)
        .order_by("pk")
        .values_list("pk", "lesion__lesion_id", "lesion__diagnosis")
    )
    if not rows:
        raise ValueError(f"data set {dataset.name} has no images")
    pks = [r[0] for r in rows]
    split = splits.make_split(
        groups=[r[1] for r in rows],
        labels=[r[2] for r in rows],
        test_size=test_size,
        folds=folds,
        seed=seed,
    )
    # One UPDATE per part (six by default) rather than a CASE over every row.
    by_part: dict[tuple[str, int | None], list[int]] = {}
    for pk, partition, fold in zip(pks, split.partitions, split.folds, strict=True):
        by_part.setdefault((partition, fold), []).append(pk)
    for (partition, fold), members in by_part.items():
        for start in range(0, len(members), 5000):
            Image.objects.filter(pk__in=members[start : start + 5000]).update(
                partition=partition, fold=fold
            )
    dataset.split_seed = seed
    dataset.split_test_size = test_size
    dataset.split_folds = folds
    dataset.split_made_at = timezone.now()
    dataset.save(update_fields=["split_seed", "split_test_size", "split_folds", "split_made_at"])
    return split
