"""The report job on a real Celery worker, as the results page queues it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analysis import services
from analysis.models import ReportJob
from analysis.tasks import report_job_run_task
from core.models import JobStatus
from tests.analysis.conftest import StudySetup
from tests.worker import WorkerProcess, route_to_worker


@pytest.mark.worker
def test_a_worker_builds_the_report_that_the_page_queued(
    study_setup: StudySetup,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    celery_worker_process: WorkerProcess,
) -> None:
    route_to_worker(monkeypatch, report_job_run_task, celery_worker_process)
    job = services.report_job_create(study=study_setup.study, include_simulated=True)

    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished

    celery_worker_process.wait_for(finished, timeout=180)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.progress == 1.0
    folder = Path(settings.MEDIA_ROOT) / job.folder
    assert (folder / "index.html").is_file()
    assert set(job.files) == {p.name for p in folder.iterdir()}
    assert ReportJob.objects.filter(study=study_setup.study).count() == 1
