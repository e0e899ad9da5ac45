"""Writes to a job's row, and the one life cycle every task goes through; personal API tokens.

Each write is a single UPDATE so a busy worker never overwrites other fields. Tasks do not call
the writes one by one: they wrap their work in ``job_running``, which starts the job, hands the
body a ``JobRun`` to report progress through, and ends the job as succeeded or failed, with one
error format for every app.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import ApiToken, Job, JobStatus

J = TypeVar("J", bound=Job)

MESSAGE_LENGTH = 500


def _update(job: Job, **fields: object) -> None:
    type(job)._default_manager.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def job_start(*, job: J, message: str = "", task_id: str = "") -> J:
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
    _update(job, **fields)
    return job


def job_progress(*, job: J, progress: float, message: str | None = None) -> J:
    fields: dict[str, object] = {"progress": max(0.0, min(1.0, float(progress)))}
    if message is not None:
        fields["message"] = message[:MESSAGE_LENGTH]
    _update(job, **fields)
    return job


def job_succeed(*, job: J, message: str = "done") -> J:
    _update(
        job,
        status=JobStatus.SUCCEEDED,
        progress=1.0,
        message=message[:MESSAGE_LENGTH],
        finished_at=timezone.now(),
    )
    return job


def job_fail(*, job: J, error: str) -> J:
    _update(job, status=JobStatus.FAILED, error=error, finished_at=timezone.now())
    return job


def job_error_text(error: BaseException) -> str:
    """The one error format: ``Type: message`` on the first line (what a page shows first),
    then the traceback for whoever has to find the cause."""
    head = f"{type(error).__name__}: {error}"
    trace = "".join(traceback.format_exception(error)).rstrip()
    return f"{head}\n\n{trace}"


@dataclass
class JobRun(Generic[J]):
    """What a running job's body sees: its row, and a throttled way to report progress."""

    job: J
    # Seconds between progress writes; a fast loop may report far more often than a page polls.
    min_interval: float = 0.0
    # The job's final message, set by the body before it returns.
    result: str = "done"
    _last_write: float = field(default=float("-inf"), repr=False)

    def progress(self, fraction: float, message: str | None = None, *, force: bool = False) -> bool:
        """Write the progress, unless the last write was under ``min_interval`` ago. Returns
        whether it wrote, so that a body can write its own fields on the same beat."""
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval:
            return False
        self._last_write = now
        job_progress(job=self.job, progress=fraction, message=message)
        return True


@contextmanager
def job_running(
    job: J, *, message: str = "", task_id: str = "", min_interval: float = 0.0
) -> Iterator[JobRun[J]]:
    """Start ``job``, run the body, and mark the job succeeded (with ``run.result``) or failed.

    Only ``Exception`` marks a job failed: a worker stopped by a signal (``SystemExit``,
    ``KeyboardInterrupt``) leaves the job running, for the redelivered task to resume.
    The exception is re-raised so that Celery sees the failure too.
    """
    job_start(job=job, message=message, task_id=task_id)
    run = JobRun(job=job, min_interval=min_interval)
    try:
        yield run
    except Exception as error:
        job_fail(job=job, error=job_error_text(error))
        raise
    job_succeed(job=job, message=run.result)


def job_is_done(job: Job) -> bool:
    """A job that already succeeded: a task delivered again has nothing to do."""
    return job.status == JobStatus.SUCCEEDED


# --- Personal API tokens ------------------------------------------------------------------------

# A token's last use is written at most this often: one UPDATE per call would be one too many.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
TOKEN_NAME_LENGTH = 100


class TokenError(ValueError):
    """A token that cannot be made as asked."""


@transaction.atomic
def api_token_create(
    *, user: AbstractBaseUser, name: str, now: datetime, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``: (row, token). The token exists only in this return value."""
    name = name.strip()
    if not name or len(name) > TOKEN_NAME_LENGTH:
        raise TokenError(_("Name the token (at most %(n)d characters).") % {"n": TOKEN_NAME_LENGTH})
    if expires_at is not None and expires_at <= now:
        raise TokenError(_("The expiry must be in the future."))
    token, secret = ApiToken.objects.create(user=user, expiry=None, name=name)
    if expires_at is not None:
        token.expiry = expires_at
        token.save(update_fields=["expiry"])
    return token, secret


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoked at once: the row goes, and with it the only way to check the token."""
    token.delete()


def api_token_touch(*, token: ApiToken, now: datetime) -> None:
    """Record a use of ``token``, unless one was recorded less than a minute ago."""
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
