"""Generated images added to an experiment's training folds (never to validation or test)."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from classifier import runner, services
from classifier.models import Experiment, TrainingRun
from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image
from tests.classifier.conftest import MakeDataset
from tests.classifier.test_services import tiny_experiment

pytestmark = pytest.mark.django_db


def generated_set(make_dataset: MakeDataset, per_class: int) -> Dataset:
    synthetic = make_dataset(name="toy-gan-1", per_class=per_class, test_per_class=0, folds=1)
    synthetic.is_synthetic = True
    synthetic.save()
    Image.objects.filter(dataset=synthetic).update(is_synthetic=True, partition=None, fold=None)
    return synthetic


def test_synthetic_images_need_a_synthetic_data_set(make_dataset: MakeDataset) -> None:
    real = make_dataset(per_class=2, test_per_class=1, folds=2)
    with pytest.raises(ValidationError, match="synthetic data set"):
        tiny_experiment(real, synthetic_per_class=3)
    with pytest.raises(ValidationError, match="synthetic data set"):
        tiny_experiment(real, synthetic_per_class=3, synthetic_dataset=real)
    assert not Experiment.objects.exists()


def test_a_fold_trains_on_n_generated_images_per_class_and_validates_on_real_ones_only(
    make_dataset: MakeDataset,
) -> None:
    real = make_dataset(per_class=4, test_per_class=1, folds=2)
    synthetic = generated_set(make_dataset, per_class=5)
    experiment = tiny_experiment(
        real, folds=[0], synthetic_per_class=2, synthetic_dataset=synthetic
    )
    run = experiment.runs.get()
    generated = runner.synthetic_images(run)
    assert len(generated) == 2 * len(DIAGNOSES)
    assert {image.dataset_id for image in generated} == {synthetic.pk}
    assert sorted(image.lesion.diagnosis for image in generated) == sorted(DIAGNOSES * 2)

    train_set, val_set = runner.fold_images(run)
    size = experiment.size
    real_arrays = runner.cached_images(train_set + val_set, size)
    extra = runner.cached_images(generated, size)
    data = runner.train_data(real_arrays, len(train_set), extra)
    assert len(data.train_rows) == len(train_set) + len(generated)
    assert len(data.val_rows) == len(val_set)
    # Validation is the real fold's images, pixel for pixel; the generated ones train only.
    assert np.array_equal(
        data.array[data.val_rows], real_arrays.array[real_arrays.rows[len(train_set) :]]
    )
    assert np.array_equal(data.array[data.train_rows[-len(generated) :]], extra.array[extra.rows])
    assert list(data.train_labels[-len(generated) :]) == list(extra.labels)

    services.run_train_and_evaluate(run=run)
    run = TrainingRun.objects.get(pk=run.pk)
    assert run.status == "succeeded", run.error
