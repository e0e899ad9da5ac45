"""Leases on job rows: each job runs at most once at a time, wherever the workers are.

A task claims its job's row in one conditional UPDATE (PostgreSQL and SQLite alike): it wins
only when nobody holds the lease or the holder's heartbeat is older than
``JOB_LEASE_SECONDS``. While the body works, a thread renews the heartbeat every
``JOB_HEARTBEAT_SECONDS``, and every write of the life cycle carries the lease's token in its
WHERE clause: a worker that was taken for dead and lost its job can no longer write to it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.models import F, QuerySet
from django.utils import timezone

from core.models import FINISHED_STATUSES, Job, JobStatus
from core.selectors import lease_free

logger = logging.getLogger(__name__)

ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING)


class JobSkipped(Exception):
    """Not this task's job to run: it finished, another worker holds its lease, or it was given
    up after too many attempts. The task ends quietly."""


class LeaseLost(Exception):
    """Another worker took the job over (this one was taken for dead): stop without writing."""


def max_attempts() -> int:
    return int(settings.JOB_MAX_ATTEMPTS)


def worker_name() -> str:
    """The Celery worker's name ("gpu@host") inside a task, else the host and process."""
    from celery import current_task

    hostname = getattr(getattr(current_task, "request", None), "hostname", None)
    if isinstance(hostname, str) and hostname:
        return hostname
    return f"{socket.gethostname()} (pid {os.getpid()})"


def give_up_reason(attempts: int, worker: str) -> str:
    last = f" (last: {worker})" if worker else ""
    return f"gave up after {attempts} attempts: the worker died each time{last}"


@dataclass
class Lease:
    """A claim on one job's row, held by the token written into it."""

    model: type[Job]
    pk: int
    token: str
    worker: str
    lost: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def rows(self) -> QuerySet[Job]:
        return self.model._default_manager.filter(pk=self.pk, lease=self.token)

    def write(self, **fields: Any) -> None:
        """One UPDATE of the row while this lease holds it (renewing the heartbeat on the way);
        raises ``LeaseLost`` when another worker took the job over."""
        if self.lost.is_set() or not self.rows().update(heartbeat_at=timezone.now(), **fields):
            self.lost.set()
            raise LeaseLost(f"{self.model._meta.label} {self.pk}: another worker took it over")

    def release(self, **fields: Any) -> bool:
        """Give the job back, writing ``fields`` with it; False when the lease was lost."""
        return bool(self.rows().update(lease="", heartbeat_at=None, **fields))

    def start_heartbeat(self) -> None:
        """Renew the heartbeat from a thread while the body runs.

        Not inside a transaction (a test's, or a caller's atomic block): the claim is not
        visible to other connections until it commits, so nobody could take it over, and a
        second connection writing the same row would wait on the first one's lock.
        """
        if connection.in_atomic_block:
            return
        interval = float(settings.JOB_HEARTBEAT_SECONDS)
        self._thread = threading.Thread(
            target=self._beat, args=(interval,), name=f"heartbeat-{self.pk}", daemon=True
        )
        self._thread.start()

    def stop_heartbeat(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _beat(self, interval: float) -> None:
        try:
            while not self._stop.wait(interval):
                try:
                    if not self.rows().update(heartbeat_at=timezone.now()):
                        self.lost.set()
                        return
                except DatabaseError as error:  # a database hiccup: try again next beat
                    logger.warning("heartbeat of %s %s failed: %s", self.model, self.pk, error)
        finally:
            connections.close_all()  # this thread's own connections


def lease_claim(*, job: Job, worker: str = "") -> Lease:
    """Claim ``job`` for this worker, or raise ``JobSkipped`` saying why not.

    The claim counts an attempt. A job whose lease is free but whose attempts are used up is
    marked failed with the reason instead (its workers kept dying).
    """
    model = type(job)
    now = timezone.now()
    lease = Lease(model=model, pk=job.pk, token=uuid.uuid4().hex, worker=worker or worker_name())
    claimed = (
        model._default_manager.filter(lease_free(now), pk=job.pk, status__in=ACTIVE_STATUSES)
        .filter(attempts__lt=max_attempts())
        .update(
            lease=lease.token,
            worker=lease.worker[:255],
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            status=JobStatus.RUNNING,
        )
    )
    if claimed:
        job.refresh_from_db(fields=["lease", "worker", "heartbeat_at", "attempts", "status"])
        return lease
    row = (
        model._default_manager.filter(pk=job.pk)
        .values("status", "lease", "worker", "heartbeat_at", "attempts")
        .first()
    )
    if row is None:
        raise JobSkipped(f"{model._meta.label} {job.pk} no longer exists")
    if row["status"] in FINISHED_STATUSES:
        raise JobSkipped(f"{model._meta.label} {job.pk} is already {row['status']}")
    if not model._default_manager.filter(lease_free(now), pk=job.pk).exists():
        raise JobSkipped(f"{model._meta.label} {job.pk} is being run by {row['worker']}")
    job_give_up(job=job, now=now)
    raise JobSkipped(give_up_reason(row["attempts"], row["worker"]))


def job_give_up(*, job: Job, now: datetime | None = None) -> bool:
    """Mark an unfinished job with a free lease and no attempts left as failed, with the
    reason; False when it was not such a job (finished, claimed, or with attempts left)."""
    model = type(job)
    now = now or timezone.now()
    row = model._default_manager.filter(pk=job.pk).values("attempts", "worker").first()
    if row is None:
        return False
    given_up = (
        model._default_manager.filter(lease_free(now), pk=job.pk, status__in=ACTIVE_STATUSES)
        .filter(attempts__gte=max_attempts())
        .update(
            status=JobStatus.FAILED,
            error=give_up_reason(row["attempts"], row["worker"]),
            finished_at=now,
            lease="",
            heartbeat_at=None,
        )
    )
    if given_up:
        job.refresh_from_db(fields=["status", "error", "finished_at", "lease", "heartbeat_at"])
    return bool(given_up)
