"""python manage.py export_study --study ID --out DIR [--simulated]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from analysis import services
from contests.models import Study


class Command(BaseCommand):
    help = "Write a study's CSV exports (readings, readers, per_class, imrmc) into a folder."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--study", type=int, required=True, help="the study's id")
        parser.add_argument("--out", type=Path, required=True, help="folder to write into")
        parser.add_argument("--simulated", action="store_true", help="include simulated readers")

    def handle(self, *args: Any, **options: Any) -> None:
        study = Study.objects.filter(pk=options["study"]).first()
        if study is None:
            raise CommandError(f"no study with id {options['study']}")
        counts = services.study_exports_write(
            study=study, folder=options["out"], include_simulated=options["simulated"]
        )
        for name, rows in counts.items():
            self.stdout.write(f"{options['out'] / name}: {rows} rows")
