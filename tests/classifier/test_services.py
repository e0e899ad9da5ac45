from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from classifier import services
from classifier.metrics import evaluate
from classifier.models import Evaluation, Experiment, Prediction, PredictionJob, TrainingRun
from lesions.codes import DIAGNOSES
from tests.classifier.conftest import MakeDataset, held_out
from tests.lesions.factories import DatasetFactory, ImageFactory

pytestmark = pytest.mark.django_db

TINY = {"epochs": 2, "batch_size": 16, "lr": 3e-3, "input_width": 32, "input_height": 24}


def tiny_experiment(dataset: Any, name: str = "tiny", **fields: Any) -> Experiment:
    return services.experiment_create(
        name=name, dataset=dataset, architecture="test_efficientnet", **{**TINY, **fields}
    )


def test_an_experiment_gets_one_pending_run_per_fold(make_dataset: MakeDataset) -> None:
    dataset = make_dataset(per_class=2, test_per_class=1, folds=3)
    experiment = tiny_experiment(dataset)
    runs = list(experiment.runs.order_by("fold"))
    assert [r.fold for r in runs] == [0, 1, 2]
    assert [r.name for r in runs] == ["tiny-fold0", "tiny-fold1", "tiny-fold2"]
    assert all(r.status == "pending" for r in runs)
    assert experiment.size == (32, 24)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"architecture": "no-such-net"}, "no-such-net"),
        ({"resolution": "medium"}, "medium"),
        ({"optimizer": "rmsprop"}, "rmsprop"),
        ({"pretrained_file": "/nowhere/weights.pth"}, "/nowhere/weights.pth"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_experiment_values_are_refused_by_name_and_nothing_is_stored(
    fields: dict[str, Any], message: str
) -> None:
    dataset = DatasetFactory(split_folds=5)
    values = {"name": "bad", "dataset": dataset, "architecture": "resnet34", **fields}
    with pytest.raises(ValidationError, match=message):
        services.experiment_create(**values)
    assert not Experiment.objects.exists()
    assert not TrainingRun.objects.exists()


def test_a_data_set_without_folds_cannot_get_an_experiment() -> None:
    dataset = DatasetFactory(split_folds=None)
    with pytest.raises(ValidationError, match="no folds"):
        services.experiment_create(name="x", dataset=dataset, architecture="resnet34")


def test_the_paper_grid_makes_160_runs_once_and_again_none(
    django_capture_on_commit_callbacks: Any,
) -> None:
    dataset = DatasetFactory(name="ham", split_folds=5)
    with django_capture_on_commit_callbacks() as callbacks:
        runs = services.grid_create(dataset=dataset, preset="paper", queue=False)
    assert callbacks == []
    assert len(runs) == 160
    assert Experiment.objects.count() == 32
    assert {(e.architecture, e.resolution, e.use_clinical) for e in Experiment.objects.all()} == {
        (a, r, c)
        for a in ("resnet34", "resnet50", "resnet101", "seresnet50", "vgg16", "vgg19",
                  "efficientnet_b5", "mobilenetv2_100")
        for r in ("low", "high")
        for c in (False, True)
    }  # fmt: skip
    assert all(e.epochs == 90 for e in Experiment.objects.all())
    services.grid_create(dataset=dataset, preset="paper", queue=False)
    assert TrainingRun.objects.count() == 160


def test_predictions_are_stored_as_seven_probabilities_with_the_top_class() -> None:
    run = TrainingRun.objects.create(name="imported", source="imported")
    images = [ImageFactory(), ImageFactory()]
    probabilities = np.array([[0.1, 0.1, 0.1, 0.1, 0.5, 0.05, 0.05], [1, 0, 0, 0, 0, 0, 0.0]])
    services.predictions_store(
        run=run, image_ids=[i.pk for i in images], probabilities=probabilities
    )
    first = Prediction.objects.get(run=run, image=images[0])
    assert first.predicted == "mel"
    assert set(first.probabilities) == set(DIAGNOSES)
    assert first.probabilities["mel"] == pytest.approx(0.5)
    assert Prediction.objects.get(run=run, image=images[1]).predicted == "akiec"
    with pytest.raises(ValueError, match="sum to 1"):
        services.predictions_store(run=run, image_ids=[images[0].pk], probabilities=np.ones((1, 7)))
    assert Prediction.objects.get(run=run, image=images[0]).predicted == "mel"


@pytest.mark.slow
def test_a_trained_run_is_evaluated_and_its_numbers_match_its_stored_predictions(
    make_dataset: MakeDataset,
) -> None:
    dataset = make_dataset(per_class=6, test_per_class=3, folds=2)
    experiment = tiny_experiment(dataset, folds=[0], use_clinical=True)
    run = experiment.runs.get()
    services.run_train_and_evaluate(run=run)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert run.progress == 1.0
    assert run.epoch == 2
    assert [h["epoch"] for h in run.history] == [1, 2]
    assert run.checkpoint.endswith("checkpoint.pt")
    evaluation = Evaluation.objects.get(run=run, split="test")
    test_images = held_out(dataset)
    assert evaluation.n_images == len(test_images) == 21
    stored = {p.image_id: p for p in Prediction.objects.filter(run=run)}
    assert set(stored) == {i.pk for i in test_images}
    labels = np.array([DIAGNOSES.index(i.lesion.diagnosis) for i in test_images])
    probabilities = np.array(
        [[stored[i.pk].probabilities[c] for c in DIAGNOSES] for i in test_images]
    )
    recomputed = evaluate(labels, probabilities)
    assert evaluation.accuracy == pytest.approx(recomputed["accuracy"])
    assert evaluation.error_rate == pytest.approx(recomputed["error_rate"])
    assert evaluation.balanced_accuracy == pytest.approx(recomputed["balanced_accuracy"])
    assert evaluation.confusion == recomputed["confusion"]
    for code in DIAGNOSES:
        for key in ("tpr", "tnr", "gmean", "auc"):
            assert evaluation.per_class[code][key] == pytest.approx(
                recomputed["per_class"][code][key]
            )
    assert evaluation.ms_per_image_batched > 0
    assert evaluation.ms_per_image_batch1 > 0

    # The same run predicts a contest phase's images, given by id.
    phase = [test_images[0].pk, test_images[5].pk, test_images[9].pk]
    Prediction.objects.filter(run=run).delete()
    job = services.prediction_job_create(run=run, image_ids=phase, label="phase 2", queue=False)
    services.prediction_job_run(job=job)
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.n_written == 3
    assert set(Prediction.objects.filter(run=run).values_list("image_id", flat=True)) == set(phase)
    for prediction in Prediction.objects.filter(run=run):
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0)
        assert prediction.probabilities[prediction.predicted] == max(
            prediction.probabilities.values()
        )


def test_predictions_of_an_untrained_run_or_unknown_images_are_refused(
    make_dataset: MakeDataset,
) -> None:
    dataset = make_dataset(per_class=1, test_per_class=1, folds=1)
    run = tiny_experiment(dataset).runs.get()
    image = held_out(dataset)[0]
    with pytest.raises(ValidationError, match="not finished"):
        services.prediction_job_create(run=run, image_ids=[image.pk], queue=False)
    run.status = "succeeded"
    run.save()
    with pytest.raises(ValidationError, match="999999"):
        services.prediction_job_create(run=run, image_ids=[999999], queue=False)
    assert not PredictionJob.objects.exists()


def test_a_run_that_cannot_train_is_marked_failed_with_the_reason_and_counted(
    make_dataset: MakeDataset,
) -> None:
    dataset = make_dataset(per_class=1, test_per_class=1, folds=1)
    run = tiny_experiment(dataset).runs.get()
    # No image of fold 0 is left for training once fold 0 validates.
    with pytest.raises(ValueError, match="no training images"):
        services.run_train_and_evaluate(run=run)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error.startswith("ValueError: Run 'tiny-fold0' has no training images")
    assert run.attempts == 1
    assert run.finished_at is not None
