"""Writes to a job's row. Each is a single UPDATE so a busy worker never overwrites other fields."""

from __future__ import annotations

from typing import TypeVar

from django.utils import timezone

from core.models import Job, JobStatus

J = TypeVar("J", bound=Job)


def _update(job: Job, **fields: object) -> None:
    type(job).objects.filter(pk=job.pk).update(**fields)  # type: ignore[attr-defined]
    for name, value in fields.items():
        setattr(job, name, value)


def job_start(*, job: J, message: str = "", task_id: str = "") -> J:
    fields: dict[str, object] = {
        "status": JobStatus.RUNNING,
        "message": message[:500],
        "error": "",
        "finished_at": None,
    }
    if job.started_at is None:
        fields["started_at"] = timezone.now()
    if task_id:
        fields["celery_task_id"] = task_id
    _update(job, **fields)
    return job


def job_progress(*, job: J, progress: float, message: str | None = None) -> J:
    fields: dict[str, object] = {"progress": max(0.0, min(1.0, float(progress)))}
    if message is not None:
        fields["message"] = message[:500]
    _update(job, **fields)
    return job


def job_succeed(*, job: J, message: str = "done") -> J:
    _update(
        job,
        status=JobStatus.SUCCEEDED,
        progress=1.0,
        message=message[:500],
        finished_at=timezone.now(),
    )
    return job


def job_fail(*, job: J, error: str) -> J:
    _update(job, status=JobStatus.FAILED, error=error, finished_at=timezone.now())
    return job
