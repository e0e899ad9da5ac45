"""python manage.py study_report --study ID --out DIR [--simulated]"""

from __future__ import annotations

from pathlib import Path

from rich.progress import Progress

from analysis import services
from analysis.management.study_commands import StudyCommand
from contests.models import Study


class Command(StudyCommand):
    help = "Write a study's report: index.html with the plots, the tables and exports as CSV."

    def write(self, *, study: Study, out: Path, include_simulated: bool) -> None:
        out = out.resolve()
        with Progress(transient=True) as bar:
            task = bar.add_task("report", total=1.0)
            files = services.study_report_write(
                study=study,
                folder=out,
                include_simulated=include_simulated,
                progress=lambda fraction, message: bar.update(
                    task, completed=fraction, description=message
                ),
            )
        self.stdout.write(f"{len(files)} files in {out}; open {out / 'index.html'}")
