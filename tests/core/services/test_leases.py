"""The lease rules: one worker at a time per job, a dead worker's job taken over, attempts
capped with the reason, for every kind of job. Run on PostgreSQL in CI (and on SQLite)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from core.models import Job, JobStatus
from core.services import JobSkipped, LeaseLost, job_running, lease_claim
from tests.core.services.conftest import JOB_KINDS, MakeJob, run_task


def make_stale(job: Job) -> None:
    """As if the lease holder died a while ago: its heartbeat stopped."""
    type(job).objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))


def row(job: Job) -> Job:
    return type(job).objects.get(pk=job.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", JOB_KINDS)
def test_a_task_delivered_again_while_the_lease_is_alive_leaves_the_job_alone(
    make_job: MakeJob, kind: str
) -> None:
    job = make_job(kind)
    lease = lease_claim(job=job, worker="gpu@busy")
    result = run_task(job)
    assert result.startswith("skipped:")
    assert "gpu@busy" in result
    now = row(job)
    assert (now.status, now.worker, now.lease, now.attempts) == (
        JobStatus.RUNNING, "gpu@busy", lease.token, 1,
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("kind", JOB_KINDS)
def test_a_stale_lease_is_taken_over_and_the_attempt_counted(make_job: MakeJob, kind: str) -> None:
    job = make_job(kind)
    dead = lease_claim(job=job, worker="gpu@dead")
    make_stale(job)
    with job_running(row(job)) as run:
        assert run.job.worker != "gpu@dead"
        assert run.job.attempts == 2
        run.progress(0.5, "half way")
    now = row(job)
    assert (now.status, now.lease, now.heartbeat_at, now.progress) == (
        JobStatus.SUCCEEDED, "", None, 1.0,
    )  # fmt: skip
    # The dead worker, were it to wake up, can no longer write to the job.
    with pytest.raises(LeaseLost):
        dead.write(message="still here")
    assert row(job).message == "done"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", JOB_KINDS)
def test_a_job_whose_workers_keep_dying_is_given_up_with_the_reason(
    make_job: MakeJob, kind: str, settings: Any
) -> None:
    settings.JOB_MAX_ATTEMPTS = 3
    job = make_job(kind)
    for attempt in range(1, 4):
        lease_claim(job=row(job), worker=f"gpu@host{attempt}")
        make_stale(job)
    reason = "gave up after 3 attempts: the worker died each time (last: gpu@host3)"
    assert run_task(job) == f"skipped: {reason}"
    now = row(job)
    assert now.status == JobStatus.FAILED
    assert now.error == reason
    assert now.finished_at is not None
    assert (now.lease, now.attempts) == ("", 3)


@pytest.mark.django_db
def test_a_finished_job_is_not_claimed_again(make_job: MakeJob) -> None:
    job = make_job("report job")
    with job_running(job):
        pass
    with pytest.raises(JobSkipped, match="already succeeded"):
        lease_claim(job=row(job))
    assert row(job).attempts == 1


@pytest.mark.django_db
def test_a_worker_that_lost_its_job_to_another_stops_and_writes_nothing(
    make_job: MakeJob,
) -> None:
    job = make_job("training run")
    with pytest.raises(LeaseLost), job_running(job) as run:  # noqa: PT012 - the body is the point
        run.progress(0.25, "a quarter")
        make_stale(job)  # this worker was taken for dead (a long pause, a lost network)
        lease_claim(job=row(job), worker="gpu@other")
        run.progress(0.5, "half way")
    now = row(job)
    assert (now.status, now.worker, now.progress, now.message) == (
        JobStatus.RUNNING, "gpu@other", 0.25, "a quarter",
    )  # fmt: skip


@pytest.mark.django_db
def test_a_failing_job_is_failed_and_its_lease_given_back(make_job: MakeJob) -> None:
    job = make_job("gan run")
    with pytest.raises(RuntimeError), job_running(job):
        raise RuntimeError("out of memory")
    now = row(job)
    assert now.status == JobStatus.FAILED
    assert now.error.startswith("RuntimeError: out of memory\n")
    assert (now.lease, now.attempts) == ("", 1)


@pytest.mark.django_db
def test_a_worker_stopped_by_a_signal_gives_its_job_back_at_once_uncounted(
    make_job: MakeJob,
) -> None:
    job = make_job("prediction job")
    with pytest.raises(KeyboardInterrupt), job_running(job):
        raise KeyboardInterrupt
    now = row(job)
    assert (now.status, now.lease, now.attempts) == (JobStatus.RUNNING, "", 0)
    with job_running(now):  # the next delivery takes it at once, with no stale lease to wait for
        pass
    assert row(job).status == JobStatus.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_a_long_job_s_lease_alive(make_job: MakeJob, settings: Any) -> None:
    settings.JOB_HEARTBEAT_SECONDS = 0.1
    settings.JOB_LEASE_SECONDS = 0.6
    job = make_job("report job")
    with job_running(job):
        first = row(job).heartbeat_at
        time.sleep(1.0)  # longer than the lease: only the heartbeat keeps it alive
        assert row(job).heartbeat_at > first
        with pytest.raises(JobSkipped, match="is being run by"):
            lease_claim(job=row(job), worker="gpu@other")
    assert row(job).status == JobStatus.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_notices_a_takeover_and_the_body_stops(
    make_job: MakeJob, settings: Any
) -> None:
    settings.JOB_HEARTBEAT_SECONDS = 0.1
    job = make_job("training run")
    with pytest.raises(LeaseLost), job_running(job) as run:  # noqa: PT012 - the body is the point
        type(job).objects.filter(pk=job.pk).update(lease="someone-else", worker="gpu@other")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            run.check()  # what a training loop does between steps (via its progress)
            time.sleep(0.05)
    assert row(job).worker == "gpu@other"
