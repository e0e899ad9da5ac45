"""The periodic job: jobs whose worker died are queued again (or given up), and the outbox is
delivered. Celery beat runs it on the default queue (``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.models import Job, JobStatus
from core.selectors import job_models, lease_free, stale_jobs
from core.services.leases import job_give_up, max_attempts
from core.services.outbox import job_queue, outbox_deliver


@dataclass(frozen=True)
class MaintenanceReport:
    requeued: int
    given_up: int
    sent: int

    def __str__(self) -> str:
        return f"{self.requeued} requeued, {self.given_up} given up, {self.sent} messages sent"


@transaction.atomic
def job_requeue(*, job: Job) -> bool:
    """Queue a job whose lease went stale again, to resume from its last checkpoint; a job
    whose attempts are used up is marked failed with the reason instead. False when the job was
    claimed meanwhile (its lease is alive again) or is no longer running."""
    model = type(job)
    now = timezone.now()
    if job.attempts >= max_attempts():
        return job_give_up(job=job, now=now)
    message = f"requeued: its worker {job.worker} stopped; resumes from its last checkpoint"
    requeued = model._default_manager.filter(
        lease_free(now), pk=job.pk, status=JobStatus.RUNNING
    ).update(status=JobStatus.PENDING, lease="", heartbeat_at=None, message=message[:500])
    if requeued:
        job_queue(job=job)
    return bool(requeued)


def jobs_maintain() -> MaintenanceReport:
    """Requeue (or give up) every job that a dead worker left running, then send the outbox."""
    requeued = given_up = 0
    now = timezone.now()
    for model in job_models():
        for job in stale_jobs(model=model, now=now):
            gives_up = job.attempts >= max_attempts()
            if job_requeue(job=job):
                given_up += gives_up
                requeued += not gives_up
    return MaintenanceReport(requeued=requeued, given_up=given_up, sent=outbox_deliver())
