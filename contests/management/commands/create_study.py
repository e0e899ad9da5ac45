"""``manage.py create_study --dataset NAME --preset paper|crossover``: a ready-made study in one
command (the paper's, optionally counterbalanced; or a crossover with its washout)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from classifier.models import TrainingRun
from contests.links import DEFAULT_BASE_URL, invitations_csv
from contests.models import HintStyle, Study
from contests.presets import CROSSOVER_WASHOUT_DAYS
from contests.selectors.hints import hint_run_for
from contests.services.errors import ContestError
from contests.services.invitations import invitation_create_batch
from contests.services.presets import (
    PRESETS,
    study_create_from_preset,
    study_open_waiting_for_hints,
)
from lesions.models import Dataset


class Command(BaseCommand):
    help = (
        "Build a study from a data set's held-out split. Preset 'paper': untimed 163; timed 35 "
        "(45 s) without a hint; timed 35 (45 s) with the AI's output, gated (--counterbalanced: "
        "the two sets of 35 swap between those phases for half the readers). Preset "
        "'crossover': the same 70 images at 45 s without and with the AI's output, in two "
        "sessions --washout-days apart, half the readers starting with the AI. Prints the "
        "study id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True, help="Data set name (slug)")
        parser.add_argument("--preset", choices=list(PRESETS), default="paper")
        parser.add_argument(
            "--counterbalanced",
            action="store_true",
            help="paper: contest 2's two image sets swap between its phases for half the readers",
        )
        parser.add_argument(
            "--washout-days",
            type=int,
            default=CROSSOVER_WASHOUT_DAYS,
            help="crossover: days from a reader's first session to their second (default 28)",
        )
        parser.add_argument(
            "--confidence", action="store_true", help='Ask "How sure are you?" after each answer'
        )
        parser.add_argument(
            "--block-size",
            type=int,
            default=4,
            help="Readers are randomised to the two arms in blocks of this (even) size",
        )
        parser.add_argument(
            "--hint-run",
            help="Training run whose predictions are the hints (default: the run with "
            "predictions for most held-out images of the data set)",
        )
        parser.add_argument(
            "--hint-style", choices=[HintStyle.ALL, HintStyle.TOP], default=HintStyle.ALL
        )
        parser.add_argument("--title", default="")
        parser.add_argument("--seed", type=int, default=0, help="Seed of the case draw")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Shrink every phase by this factor, at least one case each (a pilot, or a "
            "catalogue with fewer held-out lesions than the paper's 233); default 1",
        )
        parser.add_argument(
            "--open",
            action="store_true",
            help="Open the study to readers (a hint phase without predictions stays locked)",
        )
        parser.add_argument("--invitations", type=int, default=0, help="Make N invitation links")
        parser.add_argument(
            "--links", type=Path, help="Write the links as CSV here (default: print them)"
        )
        parser.add_argument("--base-url", default=DEFAULT_BASE_URL)

    def handle(self, *args: Any, **options: Any) -> None:
        dataset = Dataset.objects.filter(name=options["dataset"]).first()
        if dataset is None:
            raise CommandError(f"No data set named {options['dataset']!r}.")
        if options["hint_run"]:
            hint_run = TrainingRun.objects.filter(name=options["hint_run"]).first()
            if hint_run is None:
                raise CommandError(f"No training run named {options['hint_run']!r}.")
        else:
            hint_run = hint_run_for(dataset=dataset)
            if hint_run is None:
                raise CommandError(
                    f"No model has predictions for {dataset}: train one, or bring predictions "
                    "made elsewhere with import_predictions, or name one with --hint-run."
                )
        try:
            # All or nothing: a study whose links could not be written is no use to anybody.
            with transaction.atomic():
                study = study_create_from_preset(
                    preset=options["preset"],
                    dataset=dataset,
                    hint_run=hint_run,
                    hint_style=options["hint_style"],
                    seed=options["seed"],
                    title=options["title"],
                    scale=options["scale"],
                    counterbalanced=options["counterbalanced"],
                    washout_days=options["washout_days"],
                    asks_confidence=options["confidence"],
                    block_size=options["block_size"],
                )
                waiting = study_open_waiting_for_hints(study=study) if options["open"] else []
                if options["invitations"]:
                    self._links(study, options)
        except ContestError as error:
            raise CommandError(str(error)) from error
        for phase in study.phases.all():
            self.stderr.write(
                f"phase {phase.pk}: {phase.title} ({phase.cases.count()} cases)"
                + (" - waiting for the hint model's predictions" if phase in waiting else "")
            )
        self.stdout.write(str(study.pk))

    def _links(self, study: Study, options: dict[str, Any]) -> None:
        made = invitation_create_batch(study=study, n=options["invitations"], now=timezone.now())
        text = invitations_csv(made=made, base_url=options["base_url"])
        if options["links"]:
            options["links"].write_text(text)
            options["links"].chmod(0o600)
            self.stderr.write(f"{len(made)} links written to {options['links']}")
        else:
            self.stderr.write(text.rstrip("\n"))
