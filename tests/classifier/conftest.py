"""Fixtures of the classifier tests: small data sets whose classes a network can tell apart."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from django.core.files.base import ContentFile
from PIL import Image as PILImage

from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image
from tests.lesions.factories import DatasetFactory, ImageFactory

# One colour per class; noise and a random blob make every image different.
CLASS_COLOURS = np.array(
    [
        [200, 60, 60],
        [60, 190, 60],
        [60, 60, 200],
        [200, 200, 60],
        [60, 200, 200],
        [200, 60, 200],
        [130, 130, 130],
    ],
    dtype=np.float64,
)


def class_pixels(label: int, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    skin = np.array([225, 180, 160], dtype=np.float64)
    image = np.tile(skin, (height, width, 1)) + rng.normal(0, 12, (height, width, 3))
    yy, xx = np.mgrid[0:height, 0:width]
    cy, cx = rng.uniform(0.35, 0.65) * height, rng.uniform(0.35, 0.65) * width
    radius = rng.uniform(0.25, 0.4) * height
    blob = (yy - cy) ** 2 + (xx - cx) ** 2 < radius**2
    image[blob] = CLASS_COLOURS[label] + rng.normal(0, 25, (int(blob.sum()), 3))
    return image.clip(0, 255).astype(np.uint8)


def class_jpeg(label: int, rng: np.random.Generator, width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    PILImage.fromarray(class_pixels(label, rng, width, height)).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


MakeDataset = Callable[..., Dataset]


@pytest.fixture
def make_dataset(db: Any) -> MakeDataset:
    """A data set of ``per_class`` training images per class over ``folds`` folds, plus
    ``test_per_class`` held-out ones, each a real JPEG in storage."""

    def make(
        name: str = "toy",
        per_class: int = 10,
        test_per_class: int = 4,
        folds: int = 2,
        seed: int = 0,
    ) -> Dataset:
        rng = np.random.default_rng(seed)
        dataset = DatasetFactory(name=name, split_folds=folds, split_seed=seed, split_test_size=0.2)
        sexes = ("male", "female", "unknown")
        sites = ("back", "face", "unknown")
        for label, code in enumerate(DIAGNOSES):
            for i in range(per_class + test_per_class):
                content = class_jpeg(label, rng)
                held_out = i >= per_class
                ImageFactory(
                    lesion__dataset=dataset,
                    lesion__diagnosis=code,
                    width=64,
                    height=48,
                    file=ContentFile(content, name="x.jpg"),
                    sha256=hashlib.sha256(content).hexdigest(),
                    age=None if i % 5 == 0 else float(20 + 5 * i),
                    sex=sexes[i % 3],
                    localization=sites[i % 3],
                    partition="test" if held_out else "train",
                    fold=None if held_out else i % folds,
                )
        return dataset

    return make


@pytest.fixture(autouse=True)
def _few_threads() -> None:
    # The CI machine has two cores shared by the whole suite.
    torch.set_num_threads(2)


def held_out(dataset: Dataset) -> list[Image]:
    return list(Image.objects.filter(dataset=dataset, partition="test").order_by("pk"))
