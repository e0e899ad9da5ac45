"""``manage.py simulate_readers --phase ID --n 22``: simulated readers take one or more phases."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import Progress

from contests.models import Phase
from contests.services.errors import ContestError
from contests.services.simulation import phases_simulate_readers
from contests.simulation import Behaviour


class Command(BaseCommand):
    help = (
        "Make N simulated (flagged) participants take a phase through the contest services, "
        "in simulated time. Repeat --phase to have the same readers take several phases in order "
        "(a gated phase needs the phase before it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--phase", type=int, action="append", required=True, dest="phases")
        parser.add_argument("--n", type=int, default=22, help="Number of readers (default 22)")
        parser.add_argument(
            "--accuracy", type=float, default=0.28, help="Mean chance of a right answer"
        )
        parser.add_argument(
            "--ai-follow",
            type=float,
            default=0.6,
            help="Chance of answering the hint's top class in hint phases",
        )
        parser.add_argument(
            "--seconds-mean", type=float, default=20.0, help="Mean seconds per case"
        )
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        found = {phase.pk: phase for phase in Phase.objects.filter(pk__in=options["phases"])}
        missing = [pk for pk in options["phases"] if pk not in found]
        if missing:
            raise CommandError(f"No phase with id {', '.join(map(str, missing))}.")
        try:
            behaviour = Behaviour(
                accuracy=options["accuracy"],
                ai_follow=options["ai_follow"],
                seconds_mean=options["seconds_mean"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        n = options["n"]
        with Progress(disable=options["verbosity"] == 0) as progress:
            bar = progress.add_task("simulated readers", total=n)
            try:
                readers = phases_simulate_readers(
                    phases=list(found.values()),
                    n=n,
                    behaviour=behaviour,
                    seed=options["seed"],
                    on_reader_done=lambda _: progress.advance(bar),
                )
            except ContestError as error:
                raise CommandError(str(error)) from error
        names = ", ".join(reader.pseudonym for reader in readers)
        self.stdout.write(f"{len(readers)} simulated readers: {names}")
