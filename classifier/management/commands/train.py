"""Train one experiment here, in this process, with a progress bar: no worker needed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from classifier import services
from classifier.models import Experiment, TrainingRun
from classifier.train_config import PRESETS
from core.services import job_is_done
from lesions.models import Dataset


class Command(BaseCommand):
    help = (
        "Train an experiment's runs (each fold, then its held-out evaluation). Give --experiment "
        "NAME for one that exists, or --dataset and --preset (e.g. cpu-demo) to make one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--experiment", default="", help="name of an existing experiment")
        parser.add_argument("--dataset", default="", help="data set for a new experiment")
        parser.add_argument("--preset", default="cpu-demo", choices=sorted(PRESETS))
        parser.add_argument("--architecture", default="", help="timm name (else the preset's)")
        parser.add_argument("--resolution", default="low", choices=["low", "high"])
        parser.add_argument("--clinical", action="store_true", help="use the clinical data")
        parser.add_argument("--epochs", type=int, default=None)
        parser.add_argument("--fold", type=int, action="append", help="only these folds")
        parser.add_argument("--queue", action="store_true", help="send to the workers instead")

    def experiment(self, options: dict[str, Any]) -> Experiment:
        if options["experiment"]:
            found = Experiment.objects.filter(name=options["experiment"]).first()
            if found is None:
                raise CommandError(f"No experiment named {options['experiment']!r}")
            return found
        dataset = Dataset.objects.filter(name=options["dataset"]).first()
        if dataset is None:
            raise CommandError("Give --experiment NAME, or --dataset NAME of an existing data set")
        fields: dict[str, Any] = {}
        if options["epochs"]:
            fields["epochs"] = options["epochs"]
        if options["fold"]:
            fields["folds"] = options["fold"]
        architecture = options["architecture"] or PRESETS[options["preset"]].get(
            "architecture", "resnet34"
        )
        clinical = "clinical" if options["clinical"] else "image"
        name = f"{dataset.name}-{options['preset']}-{architecture}-{clinical}"
        existing = Experiment.objects.filter(name=name).first()
        if existing:
            return existing
        try:
            return services.experiment_create(
                name=name,
                dataset=dataset,
                architecture=architecture,
                resolution=options["resolution"],
                use_clinical=options["clinical"],
                preset=options["preset"],
                **fields,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

    def handle(self, *args: Any, **options: Any) -> None:
        experiment = self.experiment(options)
        if options["queue"]:
            count = services.experiment_queue(experiment=experiment)
            self.stdout.write(f"{count} runs of {experiment.name} queued")
            return
        runs = list(experiment.runs.order_by("fold"))
        if options["fold"]:
            runs = [r for r in runs if r.fold in options["fold"]]
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[note]}"),
        )
        with Progress(*columns) as progress:
            for run in runs:
                bar = progress.add_task(run.name, total=1.0, note="")
                self.train_one(run, progress, bar)
        for run in runs:
            run.refresh_from_db()
            evaluation = run.evaluations.filter(split="test").first()
            if evaluation:
                self.stdout.write(
                    f"{run.name}: held-out accuracy {evaluation.accuracy:.4f}, "
                    f"balanced accuracy {evaluation.balanced_accuracy:.4f} "
                    f"({evaluation.n_images} images, {evaluation.ms_per_image_batch1:.1f} ms/image "
                    f"at batch size 1 on {evaluation.device})"
                )
            else:
                self.stdout.write(f"{run.name}: {run.status} {run.error[-500:]}")

    def train_one(self, run: TrainingRun, progress: Progress, bar: Any) -> None:
        # The row is written as in a worker, so the researcher pages show this run live too.
        def show(fraction: float, message: str) -> None:
            progress.update(bar, completed=fraction, note=message)

        try:
            if not job_is_done(run):
                services.run_train_and_evaluate(run=run, listener=show)
        except Exception as error:  # the row holds the traceback; the command goes on
            self.stderr.write(f"{run.name} failed: {error}")
        progress.update(bar, completed=1.0 if run.status == "succeeded" else None)
