"""Reads of the core app: the job kinds, their leases, and the jobs whose worker stopped."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet

from core.models import Job, JobStatus


def lease_seconds() -> float:
    """How long a lease lives without a heartbeat before its holder is taken for dead."""
    return float(settings.JOB_LEASE_SECONDS)


def lease_free(now: datetime) -> Q:
    """Rows whose lease nobody holds, or whose holder stopped beating (a dead worker)."""
    stale_before = now - timedelta(seconds=lease_seconds())
    return Q(lease="") | Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale_before)


def job_models() -> list[type[Job]]:
    """Every concrete job kind that names the task that runs it."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, Job) and not model._meta.abstract and model.task_name
    ]


def stale_jobs(*, model: type[Job], now: datetime) -> QuerySet[Job]:
    """Running jobs of ``model`` that nobody holds a live lease on: their worker died (or was
    stopped) and no task is working on them."""
    return model._default_manager.filter(lease_free(now), status=JobStatus.RUNNING).order_by("pk")
