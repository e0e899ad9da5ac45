"""Evaluate a trained run on its data set's held-out images and print the paper's numbers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier import services
from classifier.models import TrainingRun
from lesions.codes import DIAGNOSES


class Command(BaseCommand):
    help = "Evaluate a run on the held-out split: accuracy, error rate, per-class TPR/TNR/AUC."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", help="run name")

    def handle(self, *args: Any, **options: Any) -> None:
        run = TrainingRun.objects.filter(name=options["run"]).first()
        if run is None:
            raise CommandError(f"No run named {options['run']!r}")
        try:
            evaluation = services.run_evaluate(run=run)
        except (FileNotFoundError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{run.name} on {evaluation.n_images} held-out images ({evaluation.device}): "
            f"accuracy {100 * evaluation.accuracy:.2f}%, error rate "
            f"{100 * evaluation.error_rate:.2f}%, balanced accuracy "
            f"{100 * evaluation.balanced_accuracy:.2f}%"
        )
        self.stdout.write("class   TPR    TNR    gmean  AUC    n")
        for code in DIAGNOSES:
            row = evaluation.per_class[code]
            cells = [
                f"{row[k]:.3f}" if row[k] is not None else "  -  "
                for k in ("tpr", "tnr", "gmean", "auc")
            ]
            self.stdout.write(f"{code:<7} {'  '.join(cells)}  {row['n']}")
        self.stdout.write(
            f"{evaluation.ms_per_image_batched:.2f} ms/image batched, "
            f"{evaluation.ms_per_image_batch1:.2f} ms at batch size 1"
        )
