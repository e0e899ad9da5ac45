"""Report files, exports and report jobs, written by the services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from analysis import services
from analysis.models import ReportJob
from contests.models import Outcome, Reading
from core.models import JobStatus
from tests.analysis.conftest import StudySetup

pytestmark = pytest.mark.django_db


def test_a_report_job_writes_its_files_and_its_progress(study_setup: StudySetup) -> None:
    job = ReportJob.objects.create(study=study_setup.study, include_simulated=True)
    services.report_job_run(job=job, task_id="task-1")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == 1.0
    assert job.celery_task_id == "task-1"
    assert job.message == f"{len(job.files)} files"
    assert job.folder == f"reports/study-{study_setup.study.pk}/job-{job.pk}"
    assert "index.html" in job.files


def test_a_failing_report_job_records_its_error(study_setup: StudySetup, monkeypatch: Any) -> None:
    job = ReportJob.objects.create(study=study_setup.study)

    def broken(**kwargs: Any) -> None:
        raise ValueError("disk full")

    monkeypatch.setattr(services, "study_report_write", broken)
    with pytest.raises(ValueError, match="disk full"):
        services.report_job_run(job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "disk full" in job.error
    assert job.error.startswith("ValueError: disk full\n")  # the one error format of every job


def test_the_report_file_keeps_the_csv_headers_and_writes_no_half_report(
    study_setup: StudySetup, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    files = services.study_report_write(study=study_setup.study, folder=out)
    assert files == sorted(p.name for p in out.iterdir())
    page = (out / "index.html").read_text()
    assert "<th>error_rate</th>" in page  # as table4.csv spells it
    assert not (tmp_path / "report.partial").exists()


def test_a_report_job_is_queued_after_the_commit_with_its_author(
    study_setup: StudySetup, django_user_model: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = django_user_model.objects.create_user(username="r", password="a-long-passphrase-2")
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.report_job_create(study=study_setup.study, user=user)
    assert len(callbacks) == 1
    assert job.created_by == user
    assert services.report_job_create(study=study_setup.study).created_by is None


def test_the_results_page_is_computed_once_per_change_in_its_readings(
    study_setup: StudySetup, monkeypatch: Any
) -> None:
    builds: list[bool] = []
    build = services.study_report_build

    def counted(**kwargs: Any) -> Any:
        builds.append(kwargs["include_simulated"])
        return build(**kwargs)

    monkeypatch.setattr(services, "study_report_build", counted)
    study = study_setup.study
    first = services.study_results_page(study=study, tables=("table4",))
    again = services.study_results_page(study=study, tables=("table4",))
    assert builds == [False]
    assert again == first
    assert first.figures
    assert "table4" in first.tables
    # Simulated readers included: another report, cached on its own.
    with_simulated = services.study_results_page(
        study=study, include_simulated=True, tables=("table4",)
    )
    assert builds == [False, True]
    assert with_simulated.n_readings == first.n_readings + 7
    # A pending reading closes: the readings changed, the page is computed again.
    pending = Reading.objects.get(case__phase__study=study, outcome=Outcome.PENDING)
    Reading.objects.filter(pk=pending.pk).update(
        outcome=Outcome.ANSWERED, diagnosis="nv", answered_at=timezone.now()
    )
    fresh = services.study_results_page(study=study, tables=("table4",))
    assert builds == [False, True, False]
    assert fresh.n_readings == first.n_readings + 1
    services.study_results_page(study=study, tables=("table4",))
    assert builds == [False, True, False]


def test_a_plot_file_is_cached_and_an_unknown_one_is_none(study_setup: StudySetup) -> None:
    study = study_setup.study
    page = services.study_results_page(study=study, tables=())
    name = next(iter(page.figures))
    png = services.study_plot_file(study=study, name=name, ext="png")
    assert png is not None
    assert png.startswith(b"\x89PNG")
    assert services.study_plot_file(study=study, name=name, ext="png") == png
    assert services.study_plot_file(study=study, name="no-such-plot", ext="svg") is None
