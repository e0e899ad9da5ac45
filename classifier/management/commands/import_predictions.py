"""Load a model's predictions made elsewhere: ``image_id`` + seven probability columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from classifier.predictions import PredictionImportError
from classifier.services import predictions_import


class Command(BaseCommand):
    help = (
        "Import predictions from a CSV (image_id,akiec,bcc,bkl,df,mel,nv,vasc) as a new "
        "classifier run; all rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run-name", required=True, help="Name of the new run")
        parser.add_argument("--csv", required=True, type=Path, help="Path to the CSV file")
        parser.add_argument(
            "--dataset", default=None, help="Data set of the images, if ids repeat across sets"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["csv"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            run = predictions_import(
                run_name=options["run_name"],
                path=path,
                now=timezone.now(),
                dataset_name=options["dataset"],
            )
        except PredictionImportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Run {run.name!r}: {run.predictions.count()} predictions imported.")
        )
