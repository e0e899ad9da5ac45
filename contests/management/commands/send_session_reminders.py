"""``manage.py send_session_reminders``: e-mail the readers whose second session has opened."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from contests.services.sessions import session_reminders_send


class Command(BaseCommand):
    help = (
        "Send the one reminder each crossover reader asked for once their second session opens "
        "(the washout has passed), then erase their address. Celery beat runs the same hourly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = session_reminders_send(now=timezone.now())
        self.stdout.write(f"{sent} reminders sent")
