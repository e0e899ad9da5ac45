"""Queueing through the database first: a transactional outbox.

``job_queue`` writes the job's task as an ``OutboxMessage`` in the caller's transaction, and
asks for it to be sent once that transaction commits. If the broker cannot be reached then, the
message stays pending (the page says so) and ``outbox_deliver`` sends it later: the periodic
job calls it. A broker outage delays a job and never loses it; a rolled-back transaction sends
nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import Job, JobStatus, OutboxMessage

logger = logging.getLogger(__name__)

# A message younger than this, never tried, is still in the hands of its own after-commit send.
SEND_GRACE_SECONDS = 10.0
# Sent messages are kept this long, for whoever wants to see what went when.
KEEP_SENT_DAYS = 7
ERROR_LENGTH = 2000


@transaction.atomic
def outbox_queue(
    *, task_name: str, kwargs: dict[str, Any], job: Job | None = None
) -> OutboxMessage:
    """Write a message for ``task_name(**kwargs)`` and send it once the transaction commits."""
    message = OutboxMessage.objects.create(
        task_name=task_name,
        kwargs=kwargs,
        job_type=job._meta.label_lower if job is not None else "",
        job_id=job.pk if job is not None else None,
    )
    message_id = message.pk
    transaction.on_commit(lambda: outbox_send(message_id=message_id))
    return message


@transaction.atomic
def job_queue(*, job: Job) -> OutboxMessage:
    """Queue ``job``'s task (named by its model) through the outbox.

    A job that failed or was cancelled starts afresh: pending, its attempts back to zero.
    """
    model = type(job)
    if not model.task_name:
        raise ValueError(f"{model._meta.label} names no task to run it")
    fresh = {"status": JobStatus.PENDING, "attempts": 0, "error": "", "finished_at": None}
    restarted = model._default_manager.filter(
        pk=job.pk, status__in=(JobStatus.FAILED, JobStatus.CANCELLED)
    ).update(**fresh)
    if restarted:
        for name, value in fresh.items():
            setattr(job, name, value)
    return outbox_queue(task_name=model.task_name, kwargs={model.task_argument: job.pk}, job=job)


def _deliver(message: OutboxMessage) -> bool:
    task = import_string(message.task_name)
    try:
        task.delay(**message.kwargs)
    except Exception as error:  # whatever the broker's client raised: try again later
        OutboxMessage.objects.filter(pk=message.pk).update(
            tries=F("tries") + 1, last_error=f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
        )
        logger.warning("could not send %s (kept in the outbox): %s", message, error)
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        sent_at=timezone.now(), tries=F("tries") + 1, last_error=""
    )
    return True


def outbox_send(*, message_id: int) -> bool:
    """Send one pending message now; False when it was already sent or the broker failed."""
    message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    return message is not None and _deliver(message)


def outbox_deliver(*, limit: int = 500, grace_seconds: float = SEND_GRACE_SECONDS) -> int:
    """Send the pending messages, oldest first; returns how many went.

    Stops at the first failure (the broker is still down: the rest would fail too). Sending a
    message twice (this and its own after-commit send at once) is harmless: the job's lease lets
    one copy work. Sent messages older than a week are deleted.
    """
    now = timezone.now()
    OutboxMessage.objects.filter(sent_at__lt=now - timedelta(days=KEEP_SENT_DAYS)).delete()
    young = now - timedelta(seconds=grace_seconds)
    pending = (
        OutboxMessage.objects.filter(sent_at__isnull=True)
        .exclude(tries=0, created_at__gt=young)
        .order_by("created_at", "pk")[:limit]
    )
    sent = 0
    for message in pending:
        if not _deliver(message):
            break
        sent += 1
    return sent
