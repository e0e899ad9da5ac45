"""A held-out catalogue big enough for the paper's study, and a model's predictions for it."""

from __future__ import annotations

import hashlib
import itertools

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from classifier.models import TrainingRun
from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image, Lesion
from tests.contests.factories import TrainingRunFactory, predict
from tests.lesions.factories import DatasetFactory, jpeg_bytes

# The paper's study takes 163 + 35 + 35 = 233 lesions; 35 per class leaves a few spare.
PER_CLASS = 35
_numbers = itertools.count(9_000_001)


def held_out_catalogue(*, name: str = "ham-standin", per_class: int = PER_CLASS) -> Dataset:
    """``per_class`` held-out lesions of each diagnosis, one image each.

    Written in bulk, all images sharing one small real JPEG: a catalogue of hundreds in a
    fraction of a second (the GP pages serve whichever file an image names).
    """
    dataset = DatasetFactory.create(name=name)
    data = jpeg_bytes()
    path = default_storage.save(f"lesions/{dataset.pk}/shared.jpg", ContentFile(data))
    lesions = Lesion.objects.bulk_create(
        [
            # Ids from 9000001 up: apart from the factories' sequences.
            Lesion(dataset=dataset, lesion_id=f"HAM_{next(_numbers):07d}", diagnosis=code)
            for code in DIAGNOSES
            for _ in range(per_class)
        ]
    )
    Image.objects.bulk_create(
        [
            Image(
                dataset=dataset,
                lesion=lesion,
                image_id=f"ISIC_{lesion.lesion_id[4:]}",
                file=path,
                width=60,
                height=45,
                sha256=hashlib.sha256(data).hexdigest(),
                age=50.0,
                sex="female",
                localization="back",
                partition="test",
            )
            for lesion in lesions
        ]
    )
    return dataset


def predicting_run(
    dataset: Dataset, *, name: str = "effnet-b5-low", top: str = "bcc"
) -> TrainingRun:
    """A model that predicts ``top`` (p = 0.7) for every held-out image of the data set."""
    run = TrainingRunFactory.create(name=name)
    predict(run, list(Image.objects.filter(dataset=dataset, partition="test")), top=top)
    return run
