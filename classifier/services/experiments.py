"""Experiments and their runs: creating them (one run per fold, the paper's grid) and queueing
their training after the transaction commits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from classifier import grid
from classifier.models import (
    Experiment,
    Imbalance,
    Optimizer,
    Resolution,
    Schedule,
    TrainingRun,
)
from classifier.nets import timm_name
from core.models import JobStatus
from core.services import job_queue
from lesions.models import Dataset

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
        raise ValidationError(
            _("Unknown %(what)s %(value)r: choose from %(choices)s")
            % {"what": what, "value": value, "choices": ", ".join(choices.values)}
        )


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
        raise ValidationError(
            _("Unknown experiment fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
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
        raise ValidationError(_("Choose an architecture"))
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
        raise ValidationError(
            _("Pretrained weights file not found: %(file)s") % {"file": pretrained}
        )
    per_class = values.get("synthetic_per_class", 0)
    synthetic = values.get("synthetic_dataset")
    if per_class and (synthetic is None or not synthetic.is_synthetic):
        raise ValidationError(
            _(
                "Synthetic images per class need a synthetic data set (a GAN run's) "
                "to take them from"
            )
        )
    if dataset.split_folds is None and not values.get("folds"):
        raise ValidationError(
            _("Data set %(name)r has no folds yet: make its splits first") % {"name": dataset.name}
        )
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
        run, _created = TrainingRun.objects.get_or_create(
            experiment=experiment,
            fold=fold,
            defaults={"name": f"{experiment.name}-fold{fold}"},
        )
        runs.append(run)
    return runs


def run_queue(*, run: TrainingRun) -> None:
    """Queue the run's training task through the outbox: sent once the current transaction
    commits, or later by the periodic sender while the broker is unreachable."""
    job_queue(job=run)


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
        run, _created = TrainingRun.objects.get_or_create(
            experiment=experiments[name],
            fold=entry.fold,
            defaults={"name": entry.run_name(dataset.name, preset)},
        )
        runs.append(run)
        if queue and run.status != JobStatus.SUCCEEDED:
            run_queue(run=run)
    return runs
