"""Writes of the analysis app: report files, exports, and report jobs."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from analysis import exports, plots, reader_mrmc, readings_report, selectors
from analysis.models import ReportJob
from analysis.report_tables import report_tables, table_html
from contests.models import Study
from core.services import job_queue, job_running
from core.storage import storage_delete, storage_put, work_dir

# Told the fraction done and what is being done; whatever it returns is ignored.
Progress = Callable[[float, str], object]


def study_report_build(
    *, study: Study, include_simulated: bool = False
) -> tuple[pd.DataFrame, readings_report.StudyReport]:
    frame = selectors.study_readings(study, include_simulated=include_simulated)
    return frame, readings_report.study_report(frame, include_simulated=include_simulated)


def study_exports_write(
    *, study: Study, folder: Path, include_simulated: bool = False
) -> dict[str, int]:
    """readings.csv, readers.csv, per_class.csv and imrmc.csv into ``folder``."""
    frame, report = study_report_build(study=study, include_simulated=include_simulated)
    return exports.write_all(frame, report, folder, include_simulated=include_simulated)


def study_report_write(
    *,
    study: Study,
    folder: Path,
    include_simulated: bool = False,
    progress: Progress | None = None,
) -> list[str]:
    """The report into ``folder``: index.html (plots + tables), tables and exports as CSV,
    plots as SVG and PNG. Written into a temporary folder first, so a failure leaves no half
    report behind. Returns the file names."""
    step: Progress = progress or (lambda fraction, message: None)
    step(0.05, "reading the study")
    frame, report = study_report_build(study=study, include_simulated=include_simulated)
    step(0.3, "tables and exports")
    work = folder.with_name(folder.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    tables = report_tables(report)
    for name, table in tables.items():
        exports.escaped(table).to_csv(work / f"{name}.csv", index=False)
    exports.write_long(frame, work / "readings.csv", include_simulated=include_simulated)
    exports.write_imrmc(frame, work / "imrmc.csv", include_simulated=include_simulated)
    figures = plots.report_figures(report)
    svgs: dict[str, str] = {}
    for i, (name, figure) in enumerate(figures.items()):
        step(0.4 + 0.5 * i / max(len(figures), 1), f"plot {name}")
        svgs[name] = plots.to_svg(figure)
        (work / f"{name}.svg").write_text(svgs[name], encoding="utf-8")
        (work / f"{name}.png").write_bytes(plots.to_png(figure))
    step(0.95, "index.html")
    page = render_to_string(
        "analysis/report_file.html",
        {
            "study": study,
            "report": report,
            "generated_at": timezone.now(),
            "tables": {
                name: table_html(t, readable_headers=False)
                for name, t in tables.items()
                if name != "readers"
            },
            "figures": svgs,
            "files": sorted(p.name for p in work.iterdir()),
            "notes": report.notes,  # escaped by the template
        },
    )
    (work / "index.html").write_text(page, encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    work.rename(folder)
    return sorted(p.name for p in folder.iterdir())


@transaction.atomic
def report_job_create(
    *, study: Study, include_simulated: bool = False, user: object | None = None
) -> ReportJob:
    """A pending report job, queued on the default worker through the outbox."""
    # An anonymous user (or the demo's None) leaves the job without an author.
    author = user if isinstance(user, get_user_model()) and user.is_authenticated else None
    job = ReportJob.objects.create(
        study=study, include_simulated=include_simulated, created_by=author
    )
    job_queue(job=job)
    return job


def report_job_folder(job: ReportJob) -> str:
    """Where a report job's files are kept in the media store."""
    return f"reports/study-{job.study_id}/job-{job.pk}"


def report_job_run(*, job: ReportJob, task_id: str = "") -> ReportJob:
    """Build a job's report files in this machine's work folder, then copy them to the media
    store (disk, NFS or S3) and name them on the row: the page lists them only once all are
    stored. Writing its progress to the row as it goes."""
    folder = report_job_folder(job)
    work = work_dir("reports", f"job-{job.pk}")
    with job_running(job, message="building the report", task_id=task_id) as run:
        files = study_report_write(
            study=job.study,
            folder=work / "report",
            include_simulated=job.include_simulated,
            progress=run.progress,
        )
        storage_delete(*(f"{job.folder}/{name}" for name in job.files if job.folder))
        for name in files:
            storage_put(work / "report" / name, f"{folder}/{name}")
        shutil.rmtree(work, ignore_errors=True)
        run.update(folder=folder, files=files)
        run.result = f"{len(files)} files"
    return job


# A results page's pieces are computed once per change in what they show (the fingerprint of
# ``selectors.study_results_fingerprint``) and kept in Django's cache (CACHES: a folder by
# default, shared by every web worker). The day's limit bounds what the fingerprint cannot see
# (a reader's profile edited after their answers).
RESULTS_CACHE_SECONDS = 24 * 3600
RESULTS_CACHE_VERSION = 3


@dataclass(frozen=True)
class ComparisonNote:
    """Which analysis fits one without-vs-with comparison, as the results page says it."""

    without: str
    with_hint: str
    design: reader_mrmc.DesignChoice | None
    crossover: bool


@dataclass(frozen=True)
class ResultsPage:
    """What the results page shows of a report, rendered: tables as HTML, figures as SVG."""

    n_readings: int
    notes: list[str]
    tables: dict[str, str]
    figures: dict[str, str]
    comparisons: list[ComparisonNote]


def _said(note: str) -> str:
    """A note of the report in the active language (the cache keeps a page per language)."""
    if isinstance(note, readings_report.Note):
        message = translation.gettext(note.message)
        return message % note.values if note.values else message
    return str(note)


def _results_key(study: Study, include_simulated: bool, part: str) -> str:
    fingerprint = selectors.study_results_fingerprint(study, include_simulated=include_simulated)
    language = translation.get_language() or ""
    return (
        f"analysis:results:{RESULTS_CACHE_VERSION}:{study.pk}:{int(include_simulated)}:"
        f"{language}:{fingerprint}:{part}"
    )


def study_results_page(
    *, study: Study, include_simulated: bool = False, tables: Sequence[str]
) -> ResultsPage:
    """The results page's report, tables (those named) and figures, from the cache when the
    readings have not changed since they were computed; computed and cached otherwise."""
    key = _results_key(study, include_simulated, "page:" + ",".join(tables))
    page = cache.get(key)
    if isinstance(page, ResultsPage):
        return page
    _, report = study_report_build(study=study, include_simulated=include_simulated)
    named = report_tables(report)
    page = ResultsPage(
        n_readings=report.n_readings,
        notes=[_said(note) for note in report.notes],
        tables={name: table_html(named[name]) for name in tables if name in named},
        figures={name: plots.to_svg(f) for name, f in plots.report_figures(report).items()},
        comparisons=[
            ComparisonNote(
                without=c.without,
                with_hint=c.with_hint,
                design=c.design,
                crossover=bool(c.crossover),
            )
            for c in report.comparisons
        ],
    )
    cache.set(key, page, RESULTS_CACHE_SECONDS)
    return page


def study_plot_file(
    *, study: Study, name: str, ext: str, include_simulated: bool = False
) -> bytes | None:
    """One figure of the report as SVG or PNG bytes (None if the report has no such figure),
    cached like the page."""
    key = _results_key(study, include_simulated, f"plot:{name}.{ext}")
    data = cache.get(key)
    if isinstance(data, bytes):
        return data
    _, report = study_report_build(study=study, include_simulated=include_simulated)
    figure = plots.report_figures(report).get(name)
    if figure is None:
        return None
    data = plots.to_svg(figure).encode() if ext == "svg" else plots.to_png(figure)
    cache.set(key, data, RESULTS_CACHE_SECONDS)
    return data
