"""Report jobs: a study's report files (HTML, tables as CSV, plots, exports) built on a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contests.models import Study
from core.models import Job


class ReportJob(Job):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="report_jobs")
    include_simulated = models.BooleanField(
        default=False, help_text=_("Simulated readers are left out unless this is set")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The folder's name in the media store, and the file names stored in it.
    folder = models.CharField(max_length=300, blank=True)
    files = models.JSONField(default=list, blank=True)

    task_name = "analysis.tasks.report_job_run_task"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"report of {self.study} ({self.get_status_display()})"

    @property
    def status_url(self) -> str:
        return reverse("analysis:report_status", args=[self.pk])
