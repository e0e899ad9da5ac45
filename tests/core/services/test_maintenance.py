"""The periodic job: what a dead worker left running is queued again, or given up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from core.models import JobStatus, OutboxMessage
from core.services import jobs_maintain, lease_claim
from tests.core.services.conftest import JOB_KINDS, MakeJob

pytestmark = pytest.mark.django_db


def test_stale_jobs_of_every_kind_are_queued_again_and_live_ones_left_alone(
    make_job: MakeJob,
    sent: list[tuple[str, dict[str, Any]]],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.JOB_MAX_ATTEMPTS = 3
    stale = [make_job(kind) for kind in JOB_KINDS]
    for job in stale:
        lease_claim(job=job, worker="gpu@dead")
    live = make_job("training run")
    lease_claim(job=live, worker="gpu@alive")
    exhausted = make_job("report job")
    type(exhausted).objects.filter(pk=exhausted.pk).update(attempts=2)
    lease_claim(job=exhausted, worker="default@dead")
    long_ago = timezone.now() - timedelta(minutes=10)
    for job in [*stale, exhausted]:
        type(job).objects.filter(pk=job.pk).update(heartbeat_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        report = jobs_maintain()

    assert (report.requeued, report.given_up) == (4, 1)
    for job in stale:
        job.refresh_from_db()
        assert (job.status, job.lease, job.attempts) == (JobStatus.PENDING, "", 1)
        assert job.message.startswith("requeued: its worker gpu@dead stopped")
        assert (type(job).task_name, {type(job).task_argument: job.pk}) in sent
    assert len(sent) == 4
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    live.refresh_from_db()
    assert (live.status, live.worker) == (JobStatus.RUNNING, "gpu@alive")
    exhausted.refresh_from_db()
    assert exhausted.status == JobStatus.FAILED
    assert exhausted.error == (
        "gave up after 3 attempts: the worker died each time (last: default@dead)"
    )
    # Run again at once: nothing is stale any more, nothing is sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = jobs_maintain()
    assert (again.requeued, again.given_up, again.sent) == (0, 0, 0)
    assert len(sent) == 4


def test_the_beat_schedule_runs_the_periodic_job_on_the_default_queue(settings: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-maintain"]
    assert entry["task"] == "core.tasks.jobs_maintain_task"
    assert entry["options"]["queue"] == "default"
    assert entry["schedule"] <= settings.JOB_LEASE_SECONDS
