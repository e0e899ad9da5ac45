"""python manage.py study_report --study ID --out DIR [--simulated]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from analysis import services
from contests.models import Study


class Command(BaseCommand):
    help = "Write a study's report: index.html with the plots, the tables and exports as CSV."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--study", type=int, required=True, help="the study's id")
        parser.add_argument("--out", type=Path, required=True, help="folder to write into")
        parser.add_argument("--simulated", action="store_true", help="include simulated readers")

    def handle(self, *args: Any, **options: Any) -> None:
        study = Study.objects.filter(pk=options["study"]).first()
        if study is None:
            raise CommandError(f"no study with id {options['study']}")
        out: Path = options["out"].resolve()
        with Progress(transient=True) as bar:
            task = bar.add_task("report", total=1.0)
            files = services.study_report_write(
                study=study,
                folder=out,
                include_simulated=options["simulated"],
                progress=lambda fraction, message: bar.update(
                    task, completed=fraction, description=message
                ),
            )
        self.stdout.write(f"{len(files)} files in {out}; open {out / 'index.html'}")
