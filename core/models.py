"""Pieces every app shares: the state of a long job kept on the job's own row, its lease, and
the outbox through which jobs are queued; the API's personal tokens and the responses kept for
idempotent retries."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class Job(models.Model):
    """A long piece of work run by a Celery task; pages poll this row for its progress.

    The task writes the row as it goes (see ``core.services``); the row, not Celery's result
    store, is the truth a researcher sees, so a lost broker message never hides a failure.

    The lease (``lease``, ``worker``, ``heartbeat_at``) makes each job run at most once at a
    time: a task claims the row in one conditional UPDATE and renews the heartbeat while it
    works; a copy of the task delivered meanwhile finds the lease alive and leaves. ``attempts``
    counts the claims, so a job whose worker keeps dying is given up after a set number.

    A subclass names the task that runs it (``task_name``) and that task's keyword argument
    (``task_argument``): the outbox and the periodic requeue queue it by these, without core
    importing the app.
    """

    task_name: ClassVar[str] = ""
    task_argument: ClassVar[str] = "job_id"

    status = models.CharField(
        max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    progress = models.FloatField(default=0.0, help_text="0 to 1")
    message = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    celery_task_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease: a random token per claim (empty: nobody holds it), the holder's name for
    # people ("gpu@host"), and when the holder last said it is alive.
    lease = models.CharField(max_length=32, blank=True, editable=False)
    worker = models.CharField(max_length=255, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def progress_percent(self) -> int:
        return round(100 * max(0.0, min(1.0, self.progress)))

    @property
    def is_waiting_for_broker(self) -> bool:
        """Queued, but the broker could not be reached yet: the outbox still holds its message."""
        if self.status != JobStatus.PENDING or self.pk is None:
            return False
        return OutboxMessage.objects.filter(
            job_type=self._meta.label_lower, job_id=self.pk, sent_at__isnull=True, tries__gt=0
        ).exists()


class OutboxMessage(models.Model):
    """A task to send, written in the same transaction as the job it queues.

    After the commit a sender tries to hand it to the broker at once; while the broker is
    unreachable it stays here (``sent_at`` empty) and the periodic sender delivers it later.
    A message sent twice is harmless: the job's lease lets one copy work and the other leave.

    A small model of our own rather than a library: the outbox libraries for Celery replace the
    Celery app, need a relay daemon of their own and ``SELECT ... SKIP LOCKED`` (which SQLite,
    the embedded default, lacks), while the periodic job that requeues stale leases already
    runs here and can deliver the messages too.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    # The job it queues, as "app_label.model" and primary key (no foreign key: any job kind).
    job_type = models.CharField(max_length=100, blank=True)
    job_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["job_type", "job_id"], name="outbox_job")]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "pending"
        return f"{self.task_name}({self.kwargs}) {state}"


class ApiToken(AbstractAuthToken):
    """A researcher's personal API token, for scripts: ``Authorization: Token <token>``.

    knox keeps the token's SHA-512 digest and its first characters (to find it in one indexed
    query); the token itself is shown once when made. A surrogate id stands in for knox's digest
    key so that pages and URLs never carry the digest.
    """

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"


class IdempotentResponse(models.Model):
    """The answer to a POST that created something, kept so that a retry with the same
    ``Idempotency-Key`` gets it again instead of creating a second time.

    Only the key's SHA-256 is stored: the key is the client's, and may say more than it should.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    endpoint = models.CharField(max_length=300)
    key_hash = models.CharField(max_length=64)
    # SHA-256 of the request body: the same key with another body is refused, not replayed.
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key_hash"], name="one_response_per_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status_code} ({self.created_at:%Y-%m-%d %H:%M})"
