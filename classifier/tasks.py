"""Celery tasks on the ``gpu`` queue: thin shells that take ids and call the services.

A task queued again after its worker died finds the run's stored checkpoint and resumes from
it; a copy delivered while another worker holds the job's lease, or a task for a job that
already succeeded, does nothing (``core.services.job_running`` claims the lease).
"""

from __future__ import annotations

from typing import Any

from classifier import services
from classifier.models import PredictionJob, TrainingRun
from core.services import job_is_done
from core.tasks import gpu_task


@gpu_task(bind=True)
def train_run(self: Any, *, run_id: int) -> str:
    run = TrainingRun.objects.select_related("experiment__dataset").get(pk=run_id)
    if not job_is_done(run):
        services.run_train_and_evaluate(run=run, task_id=self.request.id or "")
    return run.status


@gpu_task
def evaluate_run(*, run_id: int) -> float:
    run = TrainingRun.objects.select_related("experiment__dataset").get(pk=run_id)
    return services.run_evaluate(run=run).accuracy


@gpu_task(bind=True)
def predict_images(self: Any, *, job_id: int) -> int:
    job = PredictionJob.objects.select_related("run__experiment").get(pk=job_id)
    if not job_is_done(job):
        services.prediction_job_run(job=job, task_id=self.request.id or "")
    return job.n_written
