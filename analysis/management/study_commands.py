"""What the study commands share: ``--study ID --out DIR [--simulated]`` and the study's lookup.

``export_study`` and ``study_report`` differ only in what they write (``write``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contests.models import Study


class StudyCommand(BaseCommand):
    """A command that writes something of one study into a folder."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--study", type=int, required=True, help="the study's id")
        parser.add_argument("--out", type=Path, required=True, help="folder to write into")
        parser.add_argument("--simulated", action="store_true", help="include simulated readers")

    def handle(self, *args: Any, **options: Any) -> None:
        study = Study.objects.filter(pk=options["study"]).first()
        if study is None:
            raise CommandError(f"no study with id {options['study']}")
        self.write(study=study, out=options["out"], include_simulated=options["simulated"])

    def write(self, *, study: Study, out: Path, include_simulated: bool) -> None:
        raise NotImplementedError
