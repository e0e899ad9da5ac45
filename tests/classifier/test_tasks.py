from __future__ import annotations

import pytest

from classifier import services
from classifier.models import Evaluation, PredictionJob, TrainingRun
from classifier.tasks import predict_images, train_run
from tests.classifier.conftest import MakeDataset
from tests.worker import WorkerProcess


@pytest.mark.worker
@pytest.mark.slow
def test_a_real_worker_trains_a_run_to_the_end_and_the_row_shows_success(
    make_dataset: MakeDataset, celery_worker_process: WorkerProcess
) -> None:
    dataset = make_dataset(per_class=3, test_per_class=1, folds=2)
    experiment = services.experiment_create(
        name="worker-run", dataset=dataset, architecture="test_efficientnet", epochs=2,
        batch_size=8, input_width=32, input_height=24, folds=[0],
    )  # fmt: skip
    run = experiment.runs.get()
    train_run.apply_async(kwargs={"run_id": run.pk}, queue=celery_worker_process.queue)

    def finished() -> bool:
        run.refresh_from_db()
        return run.is_finished

    celery_worker_process.wait_for(finished, timeout=240)
    assert run.status == "succeeded", run.error
    assert run.progress == 1.0
    assert run.epoch == 2
    assert run.attempts == 1
    assert run.celery_task_id
    assert run.device.startswith("cpu")
    assert Evaluation.objects.filter(run=run, split="test", n_images=7).exists()
    # Delivered again (as after a lost acknowledgement), the task leaves a finished run alone.
    train_run.apply_async(kwargs={"run_id": run.pk}, queue=celery_worker_process.queue)
    celery_worker_process.wait_for(
        lambda: celery_worker_process.output().count("succeeded in") >= 2, timeout=60
    )
    assert TrainingRun.objects.get(pk=run.pk).attempts == 1


@pytest.mark.django_db
def test_a_task_for_a_finished_job_does_nothing_and_one_for_a_pending_job_calls_its_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    called: list[str] = []
    monkeypatch.setattr(
        "classifier.services.run_train_and_evaluate", lambda **kw: called.append("train")
    )
    monkeypatch.setattr(
        "classifier.services.prediction_job_run", lambda **kw: called.append("predict")
    )
    done = TrainingRun.objects.create(name="done", status="succeeded")
    assert train_run(run_id=done.pk) == "succeeded"
    assert (
        predict_images(
            job_id=PredictionJob.objects.create(run=done, image_ids=[1], status="succeeded").pk
        )
        == 0
    )
    assert called == []
    train_run(run_id=TrainingRun.objects.create(name="pending").pk)
    predict_images(job_id=PredictionJob.objects.create(run=done, image_ids=[1]).pk)
    assert called == ["train", "predict"]
