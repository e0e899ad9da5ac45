"""A held-out catalogue big enough for the paper's study, and a model's predictions for it."""

from __future__ import annotations

from classifier.models import TrainingRun
from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image
from tests.contests.factories import TrainingRunFactory, predict
from tests.lesions.factories import DatasetFactory, ImageFactory

# The paper's study takes 163 + 35 + 35 = 233 lesions; 35 per class leaves a few spare.
PER_CLASS = 35


def held_out_catalogue(*, name: str = "ham-standin", per_class: int = PER_CLASS) -> Dataset:
    dataset = DatasetFactory(name=name)
    for code in DIAGNOSES:
        for _ in range(per_class):
            ImageFactory(lesion__dataset=dataset, lesion__diagnosis=code, partition="test")
    return dataset


def predicting_run(
    dataset: Dataset, *, name: str = "effnet-b5-low", top: str = "bcc"
) -> TrainingRun:
    """A model that predicts ``top`` (p = 0.7) for every held-out image of the data set."""
    run = TrainingRunFactory(name=name)
    predict(run, list(Image.objects.filter(dataset=dataset, partition="test")), top=top)
    return run
