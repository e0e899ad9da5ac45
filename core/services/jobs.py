"""Writes to a job's row, and the one life cycle every task goes through.

Each write is a single UPDATE so a busy worker never overwrites other fields. Tasks do not call
the writes one by one: they wrap their work in ``job_running``, which claims the job's lease,
starts the job, hands the body a ``JobRun`` to report progress through, and ends the job as
succeeded or failed, with one error format for every app. While a lease is held, every write
goes through it (see ``core.services.leases``).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from core.models import Job, JobStatus
from core.services.leases import Lease, LeaseLost, lease_claim

J = TypeVar("J", bound=Job)

MESSAGE_LENGTH = 500


def _update(job: Job, lease: Lease | None, **fields: Any) -> None:
    if lease is None:
        type(job)._default_manager.filter(pk=job.pk).update(**fields)
    else:
        lease.write(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def job_start(*, job: J, message: str = "", task_id: str = "", lease: Lease | None = None) -> J:
    fields: dict[str, object] = {
        "status": JobStatus.RUNNING,
        "message": message[:MESSAGE_LENGTH],
        "error": "",
        "finished_at": None,
    }
    if job.started_at is None:
        fields["started_at"] = timezone.now()
    if task_id:
        fields["celery_task_id"] = task_id
    _update(job, lease, **fields)
    return job


def job_progress(
    *, job: J, progress: float, message: str | None = None, lease: Lease | None = None
) -> J:
    fields: dict[str, object] = {"progress": max(0.0, min(1.0, float(progress)))}
    if message is not None:
        fields["message"] = message[:MESSAGE_LENGTH]
    _update(job, lease, **fields)
    return job


def _finish(job: Job, lease: Lease | None, **fields: Any) -> bool:
    fields["finished_at"] = timezone.now()
    if lease is not None:
        if not lease.release(**fields):
            return False
        fields.update(lease="", heartbeat_at=None)
    else:
        type(job)._default_manager.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
    return True


def job_succeed(*, job: J, message: str = "done", lease: Lease | None = None) -> J:
    """Mark the job succeeded (releasing its lease); ``LeaseLost`` if another worker took it."""
    fields = {"status": JobStatus.SUCCEEDED, "progress": 1.0, "message": message[:MESSAGE_LENGTH]}
    if not _finish(job, lease, **fields):
        raise LeaseLost(f"{job._meta.label} {job.pk}: another worker took it over")
    return job


def job_fail(*, job: J, error: str, lease: Lease | None = None) -> J:
    """Mark the job failed (releasing its lease); left alone when another worker took it."""
    _finish(job, lease, status=JobStatus.FAILED, error=error)
    return job


def job_error_text(error: BaseException) -> str:
    """The one error format: ``Type: message`` on the first line (what a page shows first),
    then the traceback for whoever has to find the cause."""
    head = f"{type(error).__name__}: {error}"
    trace = "".join(traceback.format_exception(error)).rstrip()
    return f"{head}\n\n{trace}"


@dataclass
class JobRun(Generic[J]):
    """What a running job's body sees: its row, its lease, and a throttled way to report
    progress."""

    job: J
    # Seconds between progress writes; a fast loop may report far more often than a page polls.
    min_interval: float = 0.0
    # The job's final message, set by the body before it returns.
    result: str = "done"
    lease: Lease | None = None
    _last_write: float = field(default=float("-inf"), repr=False)

    def progress(self, fraction: float, message: str | None = None, *, force: bool = False) -> bool:
        """Write the progress, unless the last write was under ``min_interval`` ago. Returns
        whether it wrote, so that a body can write its own fields on the same beat."""
        self.check()
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval:
            return False
        self._last_write = now
        job_progress(job=self.job, progress=fraction, message=message, lease=self.lease)
        return True

    def update(self, **fields: Any) -> None:
        """Write the body's own fields of the row (one UPDATE, only while the lease holds)."""
        _update(self.job, self.lease, **fields)

    def check(self) -> None:
        """Raise ``LeaseLost`` when another worker took the job over: stop working at once."""
        if self.lease is not None and self.lease.lost.is_set():
            raise LeaseLost(f"{self.job._meta.label} {self.job.pk}: another worker took it over")


@contextmanager
def job_running(
    job: J, *, message: str = "", task_id: str = "", min_interval: float = 0.0
) -> Iterator[JobRun[J]]:
    """Claim ``job``, start it, run the body, and mark it succeeded (with ``run.result``) or
    failed.

    A job that is not this caller's to run raises ``JobSkipped`` before the body starts: it
    finished, another worker holds a live lease on it, or its attempts are used up (it is then
    marked failed with the reason). Only ``Exception`` marks a job failed; a worker stopped by a
    signal (``SystemExit``, ``KeyboardInterrupt``) gives the lease back at once, without
    counting the attempt, and the periodic requeue sends the job again. ``LeaseLost`` (another
    worker took the job over) leaves the row to that worker. Exceptions are re-raised so that
    Celery sees them too.
    """
    lease = lease_claim(job=job)
    lease.start_heartbeat()
    try:
        job_start(job=job, message=message, task_id=task_id, lease=lease)
        run = JobRun(job=job, min_interval=min_interval, lease=lease)
        try:
            yield run
        except LeaseLost:
            raise
        except Exception as error:
            job_fail(job=job, error=job_error_text(error), lease=lease)
            raise
        except BaseException:
            lease.release(attempts=Greatest(F("attempts") - 1, 0))
            raise
        job_succeed(job=job, message=run.result, lease=lease)
    finally:
        lease.stop_heartbeat()


def job_is_done(job: Job) -> bool:
    """A job that already succeeded: a task delivered again has nothing to do."""
    return job.status == JobStatus.SUCCEEDED
