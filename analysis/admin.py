"""Admin of the analysis app: report jobs, and an export action on studies."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from analysis import services
from analysis.models import ReportJob
from contests.models import Study


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "study", "status", "progress", "include_simulated", "created_at"]
    list_filter = ["status", "include_simulated"]
    readonly_fields = [
        "status",
        "progress",
        "message",
        "error",
        "celery_task_id",
        "started_at",
        "finished_at",
        "folder",
        "files",
    ]
    actions = ["build_again"]

    @admin.action(description="Build the selected reports again")
    def build_again(self, request: HttpRequest, queryset: QuerySet[ReportJob]) -> None:
        for job in queryset.select_related("study"):
            services.report_job_create(
                study=job.study, include_simulated=job.include_simulated, user=request.user
            )
        self.message_user(request, f"{queryset.count()} report(s) queued.")


@admin.action(description="Download the CSV exports of the selected studies (zip)")
def export_studies(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Study]
) -> HttpResponse:
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buffer, "w") as archive:
        for study in queryset:
            folder = Path(tmp) / f"study-{study.pk}"
            services.study_exports_write(study=study, folder=folder)
            for file in sorted(folder.iterdir()):
                archive.write(file, f"study-{study.pk}/{file.name}")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="study-exports.zip"'
    return response


# The studies' admin belongs to the contests app; the export is offered there as an action.
if Study in admin.site._registry:
    admin.site._registry[Study].actions = [
        *(admin.site._registry[Study].actions or []),
        export_studies,
    ]
