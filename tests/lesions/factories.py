"""Factories for the catalogue, used by every app's tests."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import factory
from django.core.files.base import ContentFile
from PIL import Image as PILImage

from lesions.models import Dataset, Image, Lesion


def jpeg_bytes(
    width: int = 60, height: int = 45, colour: tuple[int, int, int] = (150, 90, 70)
) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"dataset-{n}")
    title = factory.LazyAttribute(lambda o: o.name.title())


class LesionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesion

    dataset = factory.SubFactory(DatasetFactory)
    lesion_id = factory.Sequence(lambda n: f"HAM_{n:07d}")
    diagnosis = "nv"


class ImageFactory(factory.django.DjangoModelFactory):
    """An image with a small real JPEG in storage; pass ``lesion__diagnosis`` to pick the class."""

    class Meta:
        model = Image

    lesion = factory.SubFactory(LesionFactory)
    dataset = factory.SelfAttribute("lesion.dataset")
    image_id = factory.Sequence(lambda n: f"ISIC_{n:07d}")
    width = 60
    height = 45
    age = 50.0
    sex = "male"
    localization = "back"
    dx_type = "histo"
    partition = "test"

    @factory.lazy_attribute
    def sha256(self) -> str:
        return hashlib.sha256(jpeg_bytes()).hexdigest()

    @classmethod
    def _create(cls, model_class: type[Image], *args: Any, **kwargs: Any) -> Image:
        content = kwargs.pop("file", None)
        image = model_class(*args, **kwargs)
        if content is None:
            content = ContentFile(jpeg_bytes(image.width, image.height), name="x.jpg")
        image.file.save("x.jpg", content, save=False)
        image.save()
        return image
