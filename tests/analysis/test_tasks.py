"""The report job on a real Celery worker, as the results page queues it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from analysis import services
from analysis.models import ReportJob
from core.models import JobStatus
from tests.analysis.conftest import StudySetup

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_report_that_the_page_queued(
    study_setup: StudySetup, settings: Any
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default",
         "--pool", "solo", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        job = services.report_job_create(study=study_setup.study, include_simulated=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.progress == 1.0
    folder = Path(settings.MEDIA_ROOT) / job.folder
    assert (folder / "index.html").is_file()
    assert set(job.files) == {p.name for p in folder.iterdir()}
    assert ReportJob.objects.filter(study=study_setup.study).count() == 1
