"""The classifier's jobs, each through core's one life cycle (``job_running``): training and
evaluating a run, evaluating it again, and predicting chosen images. Queueing waits for the
transaction to commit. The computing is ``classifier.runner``'s; the writes are here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from classifier import inference, runner
from classifier.models import Evaluation, PredictionJob, TrainingRun
from classifier.services.predictions import evaluation_store, predictions_store
from classifier.training import EpochReport
from core.models import JobStatus
from core.services import job_running
from lesions.models import Image

# Share of a training job's bar for training; the held-out evaluation takes the rest.
TRAIN_SHARE = 0.95
# Seconds between progress writes to a job's row (epoch ends are always written).
PROGRESS_INTERVAL = 2.0

Listener = Callable[[float, str], None]


def _run_update(run: TrainingRun, **fields: Any) -> None:
    # One UPDATE of these fields only: the job's status fields stay the life cycle's.
    TrainingRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def run_epoch_record(
    *, run: TrainingRun, epoch: int, history: list[dict[str, Any]], best_score: float | None
) -> None:
    """Store a finished epoch (one UPDATE: the progress fields stay the job writers')."""
    _run_update(run, epoch=epoch, history=history, best_score=best_score)


def _epoch_message(epoch: EpochReport) -> str:
    message = f"epoch {epoch.epoch}/{epoch.epochs}"
    if epoch.train_loss is not None:
        message += f", loss {epoch.train_loss:.3f}"
    if epoch.val_balanced_accuracy is not None:
        message += f", val. balanced acc. {epoch.val_balanced_accuracy:.3f}"
    return message


def run_train_and_evaluate(
    *,
    run: TrainingRun,
    task_id: str = "",
    device: torch.device | None = None,
    listener: Listener | None = None,
) -> TrainingRun:
    """Train ``run`` (resuming from its checkpoint) and evaluate it on the held-out images,
    writing progress to its row; ``listener(progress, message)`` hears every report too (e.g.
    a terminal's bar)."""
    TrainingRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1)
    with job_running(
        run, message="preparing images", task_id=task_id, min_interval=PROGRESS_INTERVAL
    ) as job:

        def report(fraction: float, message: str, *, force: bool = False) -> None:
            job.progress(fraction, message, force=force)
            if listener:
                listener(fraction, message)

        def on_cache(done: int, total: int) -> None:
            report(0.0, f"decoding images {done}/{total}")

        def on_epoch(epoch: EpochReport) -> None:
            finished = epoch.train_loss is not None
            report(TRAIN_SHARE * epoch.fraction, _epoch_message(epoch), force=finished)
            if finished:
                _run_update(run, epoch=epoch.epoch)

        device = device or inference.pick_device()
        _run_update(run, device=runner.device_name(device))
        checkpoint = run.checkpoint_path()
        _run_update(run, checkpoint=str(checkpoint.relative_to(Path(settings.MEDIA_ROOT))))
        result = runner.train(run=run, device=device, callback=on_epoch, cache_progress=on_cache)
        run_epoch_record(
            run=run, epoch=result.epochs_run, history=result.history, best_score=result.best_score
        )
        report(TRAIN_SHARE, "evaluating on held-out images", force=True)
        evaluation = run_evaluate(run=run, device=device)
        job.result = (
            f"held-out accuracy {evaluation.accuracy:.4f}, "
            f"balanced accuracy {evaluation.balanced_accuracy:.4f}"
        )
    return run


def run_evaluate(*, run: TrainingRun, device: torch.device | None = None) -> Evaluation:
    """Evaluate the run on its data set's held-out images; store predictions and metrics."""
    held_out = runner.evaluate(run=run, device=device)
    return evaluation_store(
        run=run,
        images=held_out.images,
        probabilities=held_out.probabilities,
        split="test",
        ms_per_image_batched=held_out.ms_per_image_batched,
        ms_per_image_batch1=held_out.ms_per_image_batch1,
        device=held_out.device,
    )


def run_predict(
    *, run: TrainingRun, image_ids: Sequence[int], device: torch.device | None = None
) -> int:
    """Write the run's predictions for ``image_ids``; returns how many were written."""
    probabilities = runner.predict(run=run, image_ids=image_ids, device=device)
    return predictions_store(run=run, image_ids=list(image_ids), probabilities=probabilities)


@transaction.atomic
def prediction_job_create(
    *, run: TrainingRun, image_ids: Sequence[int], label: str = "", queue: bool = True
) -> PredictionJob:
    """A job predicting ``image_ids`` with ``run`` (e.g. a contest phase's images)."""
    ids = [int(i) for i in image_ids]
    found = set(Image.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(f"Unknown image ids: {missing[:10]}")
    if run.source == "trained" and run.status != JobStatus.SUCCEEDED:
        raise ValidationError(f"Run {run.name!r} has not finished training")
    job = PredictionJob.objects.create(run=run, image_ids=ids, label=label)
    if queue:
        # Imported here, as in run_queue: the tasks import these services.
        from classifier.tasks import predict_images

        job_id = job.pk
        transaction.on_commit(lambda: predict_images.delay(job_id=job_id))
    return job


def prediction_job_run(*, job: PredictionJob, task_id: str = "") -> PredictionJob:
    """Predict the job's images with its run and store the predictions."""
    message = f"predicting {len(job.image_ids)} images"
    with job_running(job, message=message, task_id=task_id) as lifecycle:
        written = run_predict(run=job.run, image_ids=job.image_ids)
        PredictionJob.objects.filter(pk=job.pk).update(n_written=written)
        job.n_written = written
        lifecycle.result = f"{written} predictions written"
    return job
