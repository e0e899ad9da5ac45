"""The runner gathers a run's images and computes; it returns results and writes no rows."""

from __future__ import annotations

import numpy as np
import pytest

from classifier import runner
from classifier.models import Evaluation, Prediction, TrainingRun
from tests.classifier.conftest import MakeDataset, held_out
from tests.classifier.test_services import tiny_experiment

pytestmark = pytest.mark.django_db


def test_fold_images_keep_the_fold_for_validation_and_the_held_out_split_apart(
    make_dataset: MakeDataset,
) -> None:
    dataset = make_dataset(per_class=4, test_per_class=2, folds=2)
    run = tiny_experiment(dataset).runs.get(fold=1)
    train_set, val_set = runner.fold_images(run)
    assert {i.fold for i in train_set} == {0}
    assert {i.fold for i in val_set} == {1}
    assert {i.partition for i in train_set + val_set} == {"train"}
    assert len(train_set) + len(val_set) == 28
    assert {i.partition for i in runner.test_images(run)} == {"test"}


def test_a_run_without_an_experiment_or_a_checkpoint_is_named_in_the_refusal() -> None:
    imported = TrainingRun.objects.create(name="from-elsewhere", source="imported")
    with pytest.raises(ValueError, match="from-elsewhere"):
        runner.run_config(imported)
    with pytest.raises(FileNotFoundError, match="from-elsewhere"):
        runner.run_model(imported)


@pytest.mark.slow
def test_training_evaluating_and_predicting_return_results_and_store_nothing(
    make_dataset: MakeDataset,
) -> None:
    dataset = make_dataset(per_class=3, test_per_class=1, folds=2)
    run = tiny_experiment(dataset, folds=[0], epochs=1).runs.get()
    result = runner.train(run=run)
    assert result.epochs_run == 1
    assert runner.work_checkpoint(run).exists()

    held = runner.evaluate(run=run)
    images = held_out(dataset)
    assert [i.pk for i in held.images] == [i.pk for i in images]
    assert held.probabilities.shape == (len(images), 7)
    assert np.allclose(held.probabilities.sum(axis=1), 1.0)
    assert held.ms_per_image_batched > 0
    assert held.device.startswith("cpu")

    chosen = [images[3].pk, images[0].pk]
    probabilities = runner.predict(run=run, image_ids=chosen)
    # One row per id, in the order asked, the same numbers as for the whole held-out set.
    assert np.allclose(probabilities, held.probabilities[[3, 0]])

    stored = TrainingRun.objects.get(pk=run.pk)
    assert (stored.status, stored.epoch, stored.history, stored.checkpoint) == (
        "pending",
        0,
        [],
        "",
    )
    assert not Prediction.objects.exists()
    assert not Evaluation.objects.exists()
