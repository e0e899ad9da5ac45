"""evaluate_gan with a classifier run trained here: the paper's label check on generated images."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from classifier import services as classifier_services
from classifier.models import TrainingRun
from gan.models import GanEvaluation, GanRun
from gan.services import gan_run_train
from lesions.models import Dataset, Image

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def trained_classifier(dataset: Dataset) -> TrainingRun:
    dataset.split_folds = 2
    dataset.save()
    for i, image in enumerate(Image.objects.filter(dataset=dataset, partition="train")):
        image.fold = i % 2
        image.save(update_fields=["fold"])
    experiment = classifier_services.experiment_create(
        name="judge", dataset=dataset, architecture="test_efficientnet", epochs=1,
        batch_size=8, input_width=32, input_height=24, folds=[0],
    )  # fmt: skip
    run = experiment.runs.get()
    classifier_services.run_train_and_evaluate(run=run)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return run


def test_evaluate_gan_labels_generated_images_with_a_classifier_trained_here(
    real_dataset: Dataset, make_run: Callable[..., GanRun]
) -> None:
    classifier_run = trained_classifier(real_dataset)
    gan = gan_run_train(run=make_run(gallery_per_class=0))
    out = io.StringIO()
    options: dict[str, Any] = {"n": 14, "per_class": 2, "stdout": out}
    call_command("evaluate_gan", run=gan.pk, classifier_run=classifier_run.pk, **options)
    evaluation = GanEvaluation.objects.get(run=gan)
    assert evaluation.classifier_run == classifier_run
    assert evaluation.n_images == 14
    confusion = np.array(evaluation.confusion)
    assert confusion.shape == (7, 7)
    # Two generated images per code, each labelled by the classifier with one of the seven.
    assert confusion.sum(axis=1).tolist() == [2] * 7
    assert evaluation.accuracy == pytest.approx(np.trace(confusion) / 14)
    assert evaluation.fid["overall"] >= 0
    assert "label check" in out.getvalue()
