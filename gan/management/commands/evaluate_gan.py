"""Evaluate a GAN run with a trained classifier run: label check, FID/KID, precision/recall."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from classifier.models import TrainingRun
from gan.judges import judge_for_run
from gan.models import GanRun
from gan.services import gan_run_evaluate


class Command(BaseCommand):
    help = "Judge a GAN run's images with a classifier run; stores a GanEvaluation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", type=int, required=True, help="GAN run id")
        parser.add_argument("--classifier-run", type=int, required=True)
        parser.add_argument("--n", type=int, default=40, help="images for the label check")
        parser.add_argument("--per-class", type=int, default=50, help="images per class for FID")

    def handle(self, *args: Any, **options: Any) -> None:
        import torch

        run = GanRun.objects.filter(pk=options["run"]).first()
        classifier_run = TrainingRun.objects.filter(pk=options["classifier_run"]).first()
        if run is None:
            raise CommandError(f"no GAN run {options['run']}")
        if classifier_run is None:
            raise CommandError(f"no classifier run {options['classifier_run']}")
        device = "cuda" if torch.cuda.is_available() else "cpu"
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True)) as bar:
            bar.add_task("loading the classifier", total=None)
            try:
                judge = judge_for_run(classifier_run, device=device)
                bar.add_task("generating and judging", total=None)
                evaluation = gan_run_evaluate(
                    run=run,
                    judge=judge,
                    classifier_run=classifier_run,
                    n_label_check=options["n"],
                    per_class=options["per_class"],
                )
            except (ValueError, FileNotFoundError) as error:
                raise CommandError(str(error)) from error
        fid = ", ".join(f"{k} {v:.3f}" for k, v in evaluation.fid.items())
        self.stdout.write(
            f"label check: {evaluation.accuracy:.3f} of {evaluation.n_images}; FID {fid}; "
            f"precision {evaluation.precision:.3f}, recall {evaluation.recall:.3f}"
        )
