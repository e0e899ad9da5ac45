"""Fixtures of the gan tests: a small real data set of all seven classes, and a tiny GAN."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import torch
from django.core.files.base import ContentFile
from PIL import Image as PILImage

from gan.models import GanRun
from gan.nets import NetConfig
from gan.services import gan_run_create
from lesions.codes import DIAGNOSES
from lesions.models import Dataset
from tests.gan.synthetic import two_class_images
from tests.lesions.factories import DatasetFactory, ImageFactory

# Clinical data per diagnosis, distinct so that a test can tell where a draw came from.
CLINICAL = {
    code: (30.0 + 7 * i, ("male", "female")[i % 2], ("back", "face", "trunk", "scalp")[i % 4])
    for i, code in enumerate(DIAGNOSES)
}
TINY_OVERRIDES = {
    "net": NetConfig(
        final_size=8, z_dim=8, w_dim=8, n_continuous=2, channel_base=16, max_channels=8
    ),
    "batch_sizes": (8,),
    "fade_images": 32,
    "stable_images": 32,
    "log_every": 1,
    "checkpoint_every": 3,
}


def jpeg(array: Any) -> bytes:
    buffer = io.BytesIO()
    PILImage.fromarray(array).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)  # more threads only fight over a shared CPU


@pytest.fixture
def real_dataset(db: Any) -> Dataset:
    """Two training images per diagnosis (60x45 JPEGs) and one held-out test image of mel."""
    dataset = DatasetFactory(name="standin-small")
    pictures, _ = two_class_images(len(DIAGNOSES) * 2 + 1, 45, seed=0)
    for i, picture in enumerate(pictures[:-1]):
        code = DIAGNOSES[i // 2]
        age, sex, site = CLINICAL[code]
        ImageFactory(
            lesion__dataset=dataset,
            lesion__diagnosis=code,
            age=age,
            sex=sex,
            localization=site,
            partition="train",
            file=ContentFile(jpeg(picture.repeat(2, axis=1)[:, :60]), name="x.jpg"),
        )
    ImageFactory(lesion__dataset=dataset, lesion__diagnosis="mel", partition="test", age=99.0)
    return dataset


@pytest.fixture
def make_run(real_dataset: Dataset) -> Callable[..., GanRun]:
    def make(**kwargs: Any) -> GanRun:
        options: dict[str, Any] = {
            "dataset": real_dataset,
            "preset_name": "default",
            "final_size": 8,
            "gallery_per_class": 2,
            "overrides": TINY_OVERRIDES,
        }
        return gan_run_create(**{**options, **kwargs})

    return make
