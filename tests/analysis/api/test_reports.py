"""Report jobs through the API: queued through the analysis service, polled, filtered."""

from __future__ import annotations

from typing import Any

import pytest

from analysis.models import ReportJob
from analysis.services import report_job_run
from tests.analysis.conftest import StudySetup
from tests.contests.factories import StudyFactory

pytestmark = pytest.mark.django_db


def test_a_report_is_queued_polled_and_its_files_downloaded(
    study_setup: StudySetup,
    token_client: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    sent: list[int] = []
    monkeypatch.setattr(
        "analysis.tasks.report_job_run_task.delay", lambda job_id: sent.append(job_id)
    )
    study = study_setup.study
    with django_capture_on_commit_callbacks(execute=True):
        queued = token_client.post(f"/api/analysis/studies/{study.pk}/reports/", {}, format="json")
    assert queued.status_code == 202, queued.content
    job = ReportJob.objects.get()
    assert sent == [job.pk]
    assert queued.json()["status"] == "pending"
    assert queued.json()["files"] == []
    report_job_run(job=job)  # what the worker's task does
    polled = token_client.get(f"/api/analysis/reports/{job.pk}/").json()
    assert polled["status"] == "succeeded"
    names = {f["name"]: f["url"] for f in polled["files"]}
    assert {"index.html", "imrmc.csv", "readings.csv"} <= set(names)
    download = token_client.get(names["imrmc.csv"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"readerID,caseID,modalityID,score")
    missing = token_client.get(f"/api/analysis/reports/{job.pk}/files/..%2Fsecret")
    assert missing.status_code == 404


def test_report_jobs_filter_by_study_and_status(study_setup: StudySetup, token_client: Any) -> None:
    ReportJob.objects.create(study=study_setup.study, status="succeeded")
    ReportJob.objects.create(study=study_setup.study)
    url = "/api/analysis/reports/"
    assert token_client.get(url, {"study": study_setup.study.pk}).json()["count"] == 2
    assert token_client.get(url, {"status": "succeeded"}).json()["count"] == 1
    other = StudyFactory()
    assert token_client.get(url, {"study": other.pk}).json()["count"] == 0
