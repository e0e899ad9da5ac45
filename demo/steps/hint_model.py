"""The demo's hint model: a small network trained on the CPU on the stand-in images.

Queues one run (the cpu-demo preset, fold 0) on the ``gpu`` queue; its task trains, evaluates
on the held-out images and writes a prediction for every one of them, which opens the demo
study's AI phase. Running the demo again finds the run and queues it only if it has not
succeeded (a queued task for a finished run does nothing).
"""

from __future__ import annotations

from django.db import transaction
from rich.console import Console

from classifier import services
from classifier.models import Experiment
from core.models import JobStatus
from demo.options import DATASET, DemoOptions
from lesions.models import Dataset

NAME = "demo-hint-model"


def setup(*, options: DemoOptions, out: Console) -> None:
    dataset = Dataset.objects.filter(name=DATASET).first()
    if dataset is None or dataset.split_folds is None:
        out.print(f"[yellow]No split data set {DATASET!r}: no classifier queued.")
        return
    with transaction.atomic():
        experiment = Experiment.objects.filter(name=NAME).first()
        if experiment is None:
            experiment = services.experiment_create(
                name=NAME,
                dataset=dataset,
                preset="cpu-demo",
                folds=[0],
                seed=options.seed,
                notes="The demo study's hint model (low resolution, no clinical data).",
            )
        run = experiment.runs.get(fold=0)
        if run.status == JobStatus.SUCCEEDED:
            out.print(f"Hint model {run.name} already trained: {run.message}")
            return
        services.run_queue(run=run)
    out.print(
        f"Queued {run.name}: {experiment.architecture} at {experiment.size[0]}x"
        f"{experiment.size[1]}, {experiment.epochs} epochs on the CPU; watch it at /classifier/."
    )
