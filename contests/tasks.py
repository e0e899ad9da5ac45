"""Celery tasks of the contests app: thin shells over the services."""

from __future__ import annotations

from django.utils import timezone

from contests.services.sessions import session_reminders_send
from core.tasks import default_task


@default_task
def session_reminders_send_task() -> int:
    """The periodic job (Celery beat, ``CELERY_BEAT_SCHEDULE``) that sends due reminders."""
    return session_reminders_send(now=timezone.now())
