"""Reads for the gan app: the real training images, runs and their synthetic images."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import QuerySet
from PIL import Image as PILImage

from core.models import JobStatus
from gan.clinical import Clinical
from gan.models import GanRun, GeneratedImage
from lesions.codes import DIAGNOSES, DIAGNOSIS_INDEX
from lesions.imaging import open_checked
from lesions.models import Dataset, Image, Partition


@dataclass(frozen=True)
class RealImages:
    images: np.ndarray  # uint8 (N, size, size, 3), centre-cropped square
    labels: np.ndarray  # int64 (N,), lesions.codes order
    clinical: list[Clinical]
    image_ids: list[int]

    def records(self) -> list[tuple[str, Clinical]]:
        return [(DIAGNOSES[k], c) for k, c in zip(self.labels, self.clinical, strict=True)]


def training_images_queryset(*, dataset: Dataset) -> QuerySet[Image]:
    """A data set's real training images: its training partition, or every real image when it
    has no split yet. Never a held-out test image, never a synthetic one."""
    images = Image.objects.filter(dataset=dataset, is_synthetic=False)
    if images.filter(partition=Partition.TRAIN).exists():
        images = images.filter(partition=Partition.TRAIN)
    elif images.filter(partition=Partition.TEST).exists():
        images = images.exclude(partition=Partition.TEST)
    return images.select_related("lesion").order_by("pk")


def _square(image: Image, size: int) -> np.ndarray:
    if not image.file.name:
        raise ValueError(f"image {image.pk} has no stored file")
    with (
        image.file.storage.open(image.file.name, "rb") as handle,
        open_checked(handle, max_pixels=settings.IMAGE_MAX_PIXELS) as opened,
    ):
        picture = opened.convert("RGB")
        side = min(picture.size)
        left, top = (picture.width - side) // 2, (picture.height - side) // 2
        square = picture.crop((left, top, left + side, top + side))
        return np.asarray(square.resize((size, size), PILImage.Resampling.LANCZOS))


def real_images(*, dataset: Dataset, size: int) -> RealImages:
    """The training images decoded once into a uint8 cache at ``size``, centre-cropped square."""
    rows = list(training_images_queryset(dataset=dataset))
    if not rows:
        raise ValueError(f"data set {dataset.name!r} has no real training images")
    ids = [row.pk for row in rows]
    digest = hashlib.sha256(",".join(f"{r.pk}:{r.sha256}" for r in rows).encode()).hexdigest()
    # Named by content (the images' ids and hashes, and the size), written whole then renamed:
    # a worker sharing the folder never reads a half-written file.
    cache = Path(settings.IMAGE_CACHE_DIR) / "gan" / f"{dataset.pk}-{size}-{digest[:16]}.npy"
    if cache.exists():
        images = np.load(cache)
    else:
        images = np.stack([_square(row, size) for row in rows])
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.stem}.{uuid.uuid4().hex}.npy")
        np.save(tmp, images)
        os.replace(tmp, cache)
    labels = np.array([DIAGNOSIS_INDEX[row.lesion.diagnosis] for row in rows], np.int64)
    clinical = [Clinical(row.age, row.sex, row.localization) for row in rows]
    return RealImages(images=images, labels=labels, clinical=clinical, image_ids=ids)


def run_for_dataset(*, dataset: Dataset) -> GanRun | None:
    """The latest finished GAN run trained on a data set that has generated images."""
    return (
        GanRun.objects.filter(dataset=dataset, status=JobStatus.SUCCEEDED, generated__isnull=False)
        .distinct()
        .order_by("-finished_at", "-pk")
        .first()
    )


def synthetic_image_ids(
    *, dataset: Dataset, per_class: int, run: GanRun | None = None
) -> dict[str, list[int]]:
    """Up to ``per_class`` synthetic ``lesions.Image`` ids per diagnosis, made by ``run`` (by
    default the latest finished run on ``dataset``), for adding to a classifier's training folds.
    """
    run = run or run_for_dataset(dataset=dataset)
    result: dict[str, list[int]] = {code: [] for code in DIAGNOSES}
    if run is None or per_class == 0:
        return result
    for code in DIAGNOSES:
        result[code] = list(
            GeneratedImage.objects.filter(run=run, diagnosis=code)
            .order_by("pk")
            .values_list("image_id", flat=True)[:per_class]
        )
    return result


def generated_by_diagnosis(*, run: GanRun) -> dict[str, list[GeneratedImage]]:
    groups: dict[str, list[GeneratedImage]] = {code: [] for code in DIAGNOSES}
    for item in run.generated.select_related("image").order_by("diagnosis", "pk"):
        groups[item.diagnosis].append(item)
    return groups


def run_storage_folder(run: GanRun) -> str:
    """Where a run's checkpoints and sample grids are kept in the media store."""
    return f"gan/runs/{run.pk}"


def grid_name(run: GanRun, grid: str) -> str:
    """The stored name of one of the run's sample grids (as recorded in ``run.grids``)."""
    return f"{run_storage_folder(run)}/grids/{grid}"
