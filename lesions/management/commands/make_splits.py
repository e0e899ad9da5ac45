"""Assign a data set's images to a held-out test partition and training folds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image
from lesions.services import dataset_split
from lesions.splits import format_counts


class Command(BaseCommand):
    help = (
        "Split a data set by lesion, stratified by diagnosis: a held-out test partition and "
        "k folds over the rest. Reproducible from the seed; prints class counts per part."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True)
        parser.add_argument("--test-size", type=float, default=0.17)
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        dataset = Dataset.objects.filter(name=options["dataset"]).first()
        if dataset is None:
            raise CommandError(f"no data set named {options['dataset']!r}")
        try:
            split = dataset_split(
                dataset=dataset,
                test_size=options["test_size"],
                folds=options["folds"],
                seed=options["seed"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        labels = list(
            Image.objects.filter(dataset=dataset)
            .order_by("pk")
            .values_list("lesion__diagnosis", flat=True)
        )
        self.stdout.write(format_counts(split, labels, DIAGNOSES))
