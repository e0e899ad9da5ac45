"""The classifier's jobs, each through core's one life cycle (``job_running``): training and
evaluating a run, evaluating it again, and predicting chosen images. Queueing goes through
core's outbox. The computing is ``classifier.runner``'s; the writes are here.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from classifier import inference, runner
from classifier.checkpoints import TrainState, best_weights_path
from classifier.models import Evaluation, PredictionJob, TrainingRun
from classifier.services.predictions import evaluation_store, predictions_store
from classifier.training import EpochReport
from core.models import JobStatus
from core.services import JobRun, job_queue, job_running
from core.storage import storage_delete, storage_fetch, storage_put
from lesions.models import Image

logger = logging.getLogger(__name__)

# Share of a training job's bar for training; the held-out evaluation takes the rest.
TRAIN_SHARE = 0.95
# Seconds between progress writes to a job's row (epoch ends are always written).
PROGRESS_INTERVAL = 2.0

Listener = Callable[[float, str], None]


def _epoch_message(epoch: EpochReport) -> str:
    message = f"epoch {epoch.epoch}/{epoch.epochs}"
    if epoch.train_loss is not None:
        message += f", loss {epoch.train_loss:.3f}"
    if epoch.val_balanced_accuracy is not None:
        message += f", val. balanced acc. {epoch.val_balanced_accuracy:.3f}"
    return message


def _checkpoint_fetch(run: TrainingRun) -> Path:
    """This machine's work folder for the run, holding the run's stored checkpoint (if any):
    the shared store, not what an earlier attempt here left, is where a run resumes from."""
    local = runner.work_checkpoint(run)
    shutil.rmtree(local.parent, ignore_errors=True)
    if run.checkpoint:
        storage_fetch(run.checkpoint, local)
        storage_fetch(runner.stored_best(run.checkpoint), best_weights_path(local))
        logger.info("%s resumes from its stored checkpoint of epoch %d", run.name, run.epoch)
    return local


def _checkpoint_store(job: JobRun[TrainingRun], local: Path, state: TrainState) -> None:
    """Copy a finished epoch's checkpoint to the media store, then record the epoch on the row
    in one UPDATE. Each epoch gets new names, so the row always names a whole checkpoint and
    every epoch is recorded once: a worker that dies before the UPDATE leaves the previous
    epoch recorded, and the worker that takes over trains this one again from there."""
    run = job.job
    folder = f"{run.storage_folder()}/epoch-{state.epoch:04d}"
    best = best_weights_path(local)
    if best.exists():
        storage_put(best, f"{folder}/best.pt")
    name = storage_put(local, f"{folder}/checkpoint.pt")
    previous = run.checkpoint
    job.update(
        checkpoint=name,
        epoch=state.epoch,
        history=list(state.history),
        best_score=state.best_score,
    )
    if previous and previous != name:
        storage_delete(previous, runner.stored_best(previous))


def run_train_and_evaluate(
    *,
    run: TrainingRun,
    task_id: str = "",
    device: torch.device | None = None,
    listener: Listener | None = None,
) -> TrainingRun:
    """Train ``run`` (resuming from its stored checkpoint) and evaluate it on the held-out
    images, writing progress to its row; ``listener(progress, message)`` hears every report too
    (e.g. a terminal's bar). Checkpoints are written locally and copied to the media store after
    every epoch."""
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

        device = device or inference.pick_device()
        job.update(device=runner.device_name(device))
        local = _checkpoint_fetch(run)
        runner.train(
            run=run,
            device=device,
            callback=on_epoch,
            cache_progress=on_cache,
            on_checkpoint=lambda state: _checkpoint_store(job, local, state),
        )
        report(TRAIN_SHARE, "evaluating on held-out images", force=True)
        evaluation = run_evaluate(run=run, device=device)
        shutil.rmtree(local.parent, ignore_errors=True)
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
        raise ValidationError(_("Unknown image ids: %(ids)s") % {"ids": missing[:10]})
    if run.source == "trained" and run.status != JobStatus.SUCCEEDED:
        raise ValidationError(_("Run %(name)r has not finished training") % {"name": run.name})
    job = PredictionJob.objects.create(run=run, image_ids=ids, label=label)
    if queue:
        job_queue(job=job)
    return job


def prediction_job_run(*, job: PredictionJob, task_id: str = "") -> PredictionJob:
    """Predict the job's images with its run and store the predictions."""
    message = f"predicting {len(job.image_ids)} images"
    with job_running(job, message=message, task_id=task_id) as lifecycle:
        written = run_predict(run=job.run, image_ids=job.image_ids)
        lifecycle.update(n_written=written)
        lifecycle.result = f"{written} predictions written"
    return job
