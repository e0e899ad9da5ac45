"""python manage.py export_study --study ID --out DIR [--simulated]"""

from __future__ import annotations

from pathlib import Path

from analysis import services
from analysis.management.study_commands import StudyCommand
from contests.models import Study


class Command(StudyCommand):
    help = "Write a study's CSV exports (readings, readers, per_class, imrmc) into a folder."

    def write(self, *, study: Study, out: Path, include_simulated: bool) -> None:
        counts = services.study_exports_write(
            study=study, folder=out, include_simulated=include_simulated
        )
        for name, rows in counts.items():
            self.stdout.write(f"{out / name}: {rows} rows")
