"""Queue the paper's grid: 8 architectures x 2 resolutions x clinical off/on x 5 folds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier import grid, services
from classifier.train_config import PRESETS
from lesions.models import Dataset


class Command(BaseCommand):
    help = "Create the paper's experiment grid on a data set and queue one task per run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True, help="data set name")
        parser.add_argument("--preset", default="paper", choices=sorted(PRESETS))
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--dry-run", action="store_true", help="list the runs, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        name, preset, folds = options["dataset"], options["preset"], options["folds"]
        entries = grid.paper_grid(folds)
        if options["dry_run"]:
            for entry in entries:
                clinical = "clinical" if entry.use_clinical else "image-only"
                self.stdout.write(
                    f"{entry.run_name(name, preset)}\t{entry.architecture}\t{entry.resolution}"
                    f"\t{clinical}\tfold {entry.fold}"
                )
            self.stdout.write(f"{len(entries)} runs (dry run: nothing created or queued)")
            return
        dataset = Dataset.objects.filter(name=name).first()
        if dataset is None:
            raise CommandError(f"No data set named {name!r}")
        if dataset.split_folds is None:
            raise CommandError(f"Data set {name!r} has no splits yet: run make_splits first")
        if dataset.split_folds < folds:
            raise CommandError(f"Data set {name!r} has {dataset.split_folds} folds, not {folds}")
        runs = services.grid_create(dataset=dataset, preset=preset, folds=folds, queue=True)
        self.stdout.write(
            self.style.SUCCESS(f"{len(runs)} runs in the grid, unfinished ones queued")
        )
