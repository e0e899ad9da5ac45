"""Train a progressive InfoGAN on a data set's training images, with a progress bar."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from gan.models import Preset
from gan.services import gan_run_create, gan_run_queue, gan_run_train
from gan.training import Progress
from lesions.models import Dataset


class Command(BaseCommand):
    help = "Train a GAN run here (or --queue it for a GPU worker); prints the run id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True, help="data set name")
        parser.add_argument("--final-size", type=int, default=64, help="4, 8, ..., 512")
        parser.add_argument("--preset", choices=Preset.values, default=Preset.DEFAULT)
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--images-per-phase",
            type=int,
            default=None,
            help="images shown while a block fades in, and again once it is in",
        )
        parser.add_argument("--gallery-per-class", type=int, default=8)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--queue", action="store_true", help="send to the gpu queue")

    def handle(self, *args: Any, **options: Any) -> None:
        dataset = Dataset.objects.filter(name=options["dataset"]).first()
        if dataset is None:
            raise CommandError(f"no data set named {options['dataset']!r}")
        overrides: dict[str, Any] = {}
        if options["images_per_phase"] is not None:
            if options["images_per_phase"] < 1:
                raise CommandError("--images-per-phase must be at least 1")
            overrides["fade_images"] = overrides["stable_images"] = options["images_per_phase"]
        if options["seed"] is not None:
            overrides["seed"] = options["seed"]
        try:
            run = gan_run_create(
                dataset=dataset,
                name=options["name"],
                preset_name=options["preset"],
                final_size=options["final_size"],
                gallery_per_class=options["gallery_per_class"],
                overrides=overrides,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"GAN run {run.pk}: {run.name} ({run.total_images:,} images)")
        if options["queue"]:
            gan_run_queue(run=run)
            self.stdout.write("queued on the gpu queue")
            return
        with tqdm(total=run.total_images, unit="img", file=sys.stderr, desc="training") as bar:

            def show(progress: Progress) -> None:
                bar.n = progress.images_seen
                bar.set_postfix_str(
                    f"{progress.resolution}px a={progress.alpha:.2f} "
                    f"W={progress.losses.get('wasserstein', 0):.3f}",
                    refresh=True,
                )

            gan_run_train(run=run, on_progress=show)
            bar.n = run.total_images
        run.refresh_from_db()
        self.stdout.write(f"{run.status}: {run.message}; gallery {run.generated.count()} images")
