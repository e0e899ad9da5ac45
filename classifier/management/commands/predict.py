"""Write a run's predictions for a set of images (by id, or a data set's held-out split)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier import services
from classifier.models import TrainingRun
from lesions.models import Image, Partition


class Command(BaseCommand):
    help = "Predict images with a run and store the seven probabilities of each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", help="run name")
        parser.add_argument(
            "--image-ids", type=int, nargs="*", default=[], help="lesions.Image ids"
        )
        parser.add_argument("--dataset", default="", help="all held-out images of this data set")

    def handle(self, *args: Any, **options: Any) -> None:
        run = TrainingRun.objects.filter(name=options["run"]).first()
        if run is None:
            raise CommandError(f"No run named {options['run']!r}")
        ids = list(options["image_ids"])
        if options["dataset"]:
            ids += list(
                Image.objects.filter(
                    dataset__name=options["dataset"], partition=Partition.TEST
                ).values_list("pk", flat=True)
            )
        if not ids:
            raise CommandError("No images: give --image-ids or --dataset")
        try:
            written = services.run_predict(run=run, image_ids=ids)
        except (FileNotFoundError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{written} predictions written for {run.name}"))
