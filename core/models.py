"""Pieces every app shares: the state of a long job, kept on the job's own row; the API's
personal tokens and the responses kept for idempotent retries."""

from __future__ import annotations

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
    """

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

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def progress_percent(self) -> int:
        return round(100 * max(0.0, min(1.0, self.progress)))


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
