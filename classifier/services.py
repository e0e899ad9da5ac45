"""Writes of the classifier app: experiments and their runs, queueing, histories, evaluations,
predictions. Keyword-only and atomic; long work is queued after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from classifier import grid, metrics
from classifier.models import (
    Evaluation,
    Experiment,
    Imbalance,
    Optimizer,
    Prediction,
    PredictionJob,
    Resolution,
    Schedule,
    TrainingRun,
)
from classifier.nets import timm_name
from core.models import JobStatus
from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image

EXPERIMENT_FIELDS = frozenset(
    {
        "fusion",
        "epochs",
        "batch_size",
        "lr",
        "weight_decay",
        "optimizer",
        "schedule",
        "augmentation",
        "imbalance",
        "dropout",
        "early_stopping_patience",
        "seed",
        "pretrained_file",
        "input_width",
        "input_height",
        "synthetic_per_class",
        "synthetic_dataset",
        "notes",
        "folds",
    }
)


def _check_choice(value: str, choices: Any, what: str) -> None:
    if value not in choices.values:
        raise ValidationError(f"Unknown {what} {value!r}: choose from {', '.join(choices.values)}")


@transaction.atomic
def experiment_create(
    *,
    name: str,
    dataset: Dataset,
    architecture: str = "",
    resolution: str = Resolution.LOW,
    use_clinical: bool = False,
    preset: str = "",
    created_by: Any = None,
    queue: bool = False,
    **fields: Any,
) -> Experiment:
    """A new experiment and one pending run per fold; with ``queue`` the runs go to the workers.

    The preset's values come first; ``fields`` and ``architecture`` override them. Bad values
    raise ValidationError naming the problem, and nothing is stored.
    """
    unknown = set(fields) - EXPERIMENT_FIELDS
    if unknown:
        raise ValidationError(f"Unknown experiment fields: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    if preset:
        try:
            values.update(grid.preset_hyperparameters(preset))
        except ValueError as error:
            raise ValidationError(str(error)) from error
    values.update(fields)
    # An architecture given explicitly wins over the preset's.
    architecture = architecture or values.pop("architecture", "")
    values.pop("architecture", None)
    if not architecture:
        raise ValidationError("Choose an architecture")
    try:
        architecture = timm_name(architecture)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    _check_choice(resolution, Resolution, "resolution")
    _check_choice(values.get("optimizer", Optimizer.ADAMW), Optimizer, "optimizer")
    _check_choice(values.get("schedule", Schedule.COSINE), Schedule, "schedule")
    _check_choice(values.get("imbalance", Imbalance.WEIGHTED_LOSS), Imbalance, "imbalance")
    pretrained = values.get("pretrained_file", "")
    if pretrained and not Path(pretrained).is_file():
        raise ValidationError(f"Pretrained weights file not found: {pretrained}")
    per_class = values.get("synthetic_per_class", 0)
    synthetic = values.get("synthetic_dataset")
    if per_class and (synthetic is None or not synthetic.is_synthetic):
        raise ValidationError(
            "Synthetic images per class need a synthetic data set (a GAN run's) to take them from"
        )
    if dataset.split_folds is None and not values.get("folds"):
        raise ValidationError(f"Data set {dataset.name!r} has no folds yet: make its splits first")
    experiment = Experiment(
        name=name,
        dataset=dataset,
        architecture=architecture,
        resolution=resolution,
        use_clinical=use_clinical,
        preset=preset,
        created_by=created_by,
        **values,
    )
    experiment.full_clean()
    experiment.save()
    experiment_runs_create(experiment=experiment)
    if queue:
        experiment_queue(experiment=experiment)
    return experiment


def experiment_folds(experiment: Experiment) -> list[int]:
    if experiment.folds:
        return [int(f) for f in experiment.folds]
    return list(range(experiment.dataset.split_folds or 0))


@transaction.atomic
def experiment_runs_create(*, experiment: Experiment) -> list[TrainingRun]:
    """One run per fold of the experiment (kept where it already exists)."""
    runs = []
    for fold in experiment_folds(experiment):
        run, _ = TrainingRun.objects.get_or_create(
            experiment=experiment,
            fold=fold,
            defaults={"name": f"{experiment.name}-fold{fold}"},
        )
        runs.append(run)
    return runs


def run_queue(*, run: TrainingRun) -> None:
    """Send the run's training task once the current transaction commits."""
    from classifier.tasks import train_run

    run_id = run.pk
    transaction.on_commit(lambda: train_run.delay(run_id=run_id))


def experiment_queue(*, experiment: Experiment) -> int:
    """Queue every run of the experiment that has not succeeded; returns how many."""
    runs = experiment.runs.exclude(status=JobStatus.SUCCEEDED)
    for run in runs:
        run_queue(run=run)
    return len(runs)


@transaction.atomic
def grid_create(
    *, dataset: Dataset, preset: str = "paper", folds: int = 5, queue: bool = True
) -> list[TrainingRun]:
    """The paper's grid on ``dataset``: one experiment per configuration, one run per fold.

    Idempotent: experiments that exist are kept, and only unfinished runs are queued.
    """
    hyper = grid.preset_hyperparameters(preset)
    entries = grid.paper_grid(folds)
    runs: list[TrainingRun] = []
    experiments: dict[str, Experiment] = {}
    for entry in entries:
        name = entry.experiment_name(dataset.name, preset)
        if name not in experiments:
            experiment = Experiment.objects.filter(name=name).first()
            if experiment is None:
                experiment = Experiment.objects.create(
                    name=name,
                    dataset=dataset,
                    architecture=entry.architecture,
                    resolution=entry.resolution,
                    use_clinical=entry.use_clinical,
                    preset=preset,
                    folds=list(range(folds)),
                    **{k: v for k, v in hyper.items() if k != "architecture"},
                )
            experiments[name] = experiment
        run, _ = TrainingRun.objects.get_or_create(
            experiment=experiments[name],
            fold=entry.fold,
            defaults={"name": entry.run_name(dataset.name, preset)},
        )
        runs.append(run)
        if queue and run.status != JobStatus.SUCCEEDED:
            run_queue(run=run)
    return runs


def run_checkpoint_path(run: TrainingRun) -> Path:
    """Where a run's checkpoint lives: under MEDIA_ROOT, shared by every worker."""
    return Path(settings.MEDIA_ROOT) / "classifier" / "runs" / str(run.pk) / "checkpoint.pt"


def run_epoch_record(
    *, run: TrainingRun, epoch: int, history: list[dict[str, Any]], best_score: float | None
) -> None:
    """Store a finished epoch (one UPDATE: the progress fields stay the job writers')."""
    TrainingRun.objects.filter(pk=run.pk).update(
        epoch=epoch, history=history, best_score=best_score
    )
    run.epoch, run.history, run.best_score = epoch, history, best_score


@transaction.atomic
def predictions_store(
    *, run: TrainingRun, image_ids: Sequence[int], probabilities: np.ndarray
) -> int:
    """Write (or replace) the run's seven probabilities for each image; returns the count."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape != (len(image_ids), len(DIAGNOSES)):
        raise ValueError(f"Expected {len(image_ids)} x {len(DIAGNOSES)} probabilities")
    if not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("Each image's probabilities must sum to 1")
    Prediction.objects.filter(run=run, image_id__in=image_ids).delete()
    Prediction.objects.bulk_create(
        Prediction(
            run=run,
            image_id=image_id,
            probabilities={code: float(p) for code, p in zip(DIAGNOSES, row, strict=True)},
            predicted=DIAGNOSES[int(np.argmax(row))],
        )
        for image_id, row in zip(image_ids, probabilities, strict=True)
    )
    return len(image_ids)


@transaction.atomic
def evaluation_store(
    *,
    run: TrainingRun,
    images: Sequence[Image],
    probabilities: np.ndarray,
    split: str = "test",
    ms_per_image_batched: float | None = None,
    ms_per_image_batch1: float | None = None,
    device: str = "",
) -> Evaluation:
    """Store the run's predictions for ``images`` and the metrics computed from them."""
    labels = np.array([DIAGNOSES.index(image.lesion.diagnosis) for image in images])
    numbers = metrics.evaluate(labels, probabilities)
    predictions_store(run=run, image_ids=[i.pk for i in images], probabilities=probabilities)
    evaluation, _ = Evaluation.objects.update_or_create(
        run=run,
        split=split,
        defaults={
            **numbers,
            "ms_per_image_batched": ms_per_image_batched,
            "ms_per_image_batch1": ms_per_image_batch1,
            "device": device,
        },
    )
    return evaluation


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
        from classifier.tasks import predict_images

        job_id = job.pk
        transaction.on_commit(lambda: predict_images.delay(job_id=job_id))
    return job
