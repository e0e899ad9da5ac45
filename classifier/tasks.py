"""Celery tasks on the ``gpu`` queue. They take ids, call the runner and write the job's row.

A task delivered again (worker killed, retried) finds the run's checkpoint and resumes from it;
a task for a run that already succeeded does nothing.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from django.db.models import F

from classifier import runner
from classifier.models import PredictionJob, TrainingRun
from classifier.training import EpochReport
from core.models import JobStatus
from core.services import job_fail, job_progress, job_start, job_succeed
from core.tasks import gpu_task

# Share of a training job's bar for training; the held-out evaluation takes the rest.
TRAIN_SHARE = 0.95


def train_run_now(
    run: TrainingRun,
    *,
    task_id: str = "",
    device: Any = None,
    listener: Callable[[float, str], None] | None = None,
) -> TrainingRun:
    """Train and evaluate ``run`` in this process, writing progress to its row.

    ``listener(progress, message)`` hears the same progress (e.g. a terminal's bar).
    """
    if run.status == JobStatus.SUCCEEDED:
        return run

    def report(progress: float, message: str) -> None:
        job_progress(job=run, progress=progress, message=message)
        if listener:
            listener(progress, message)

    TrainingRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1)
    job_start(job=run, message="preparing images", task_id=task_id)
    try:
        device = device or runner.inference.pick_device()
        TrainingRun.objects.filter(pk=run.pk).update(device=runner.device_name(device))

        def on_cache(done: int, total: int) -> None:
            report(0.0, f"decoding images {done}/{total}")

        def on_epoch(epoch: EpochReport) -> None:
            message = f"epoch {epoch.epoch}/{epoch.epochs}"
            if epoch.train_loss is not None:
                message += f", loss {epoch.train_loss:.3f}"
            if epoch.val_balanced_accuracy is not None:
                message += f", val. balanced acc. {epoch.val_balanced_accuracy:.3f}"
            report(TRAIN_SHARE * epoch.fraction, message)
            if epoch.train_loss is not None:
                TrainingRun.objects.filter(pk=run.pk).update(epoch=epoch.epoch)

        runner.run_train(run=run, device=device, callback=on_epoch, cache_progress=on_cache)
        report(TRAIN_SHARE, "evaluating on held-out images")
        evaluation = runner.run_evaluate(run=run, device=device)
    except Exception:
        job_fail(job=run, error=traceback.format_exc())
        raise
    job_succeed(
        job=run,
        message=f"held-out accuracy {evaluation.accuracy:.4f}, "
        f"balanced accuracy {evaluation.balanced_accuracy:.4f}",
    )
    return run


@gpu_task(bind=True)
def train_run(self: Any, *, run_id: int) -> str:
    run = TrainingRun.objects.select_related("experiment__dataset").get(pk=run_id)
    train_run_now(run, task_id=self.request.id or "")
    return run.status


@gpu_task
def evaluate_run(*, run_id: int) -> float:
    run = TrainingRun.objects.select_related("experiment__dataset").get(pk=run_id)
    return runner.run_evaluate(run=run).accuracy


def predict_now(job: PredictionJob, *, task_id: str = "") -> PredictionJob:
    if job.status == JobStatus.SUCCEEDED:
        return job
    job_start(job=job, message=f"predicting {len(job.image_ids)} images", task_id=task_id)
    try:
        written = runner.run_predict(run=job.run, image_ids=job.image_ids)
    except Exception:
        job_fail(job=job, error=traceback.format_exc())
        raise
    PredictionJob.objects.filter(pk=job.pk).update(n_written=written)
    job.n_written = written
    job_succeed(job=job, message=f"{written} predictions written")
    return job


@gpu_task(bind=True)
def predict_images(self: Any, *, job_id: int) -> int:
    job = PredictionJob.objects.select_related("run__experiment").get(pk=job_id)
    return predict_now(job, task_id=self.request.id or "").n_written
