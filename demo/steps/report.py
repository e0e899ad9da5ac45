"""Demo step: queue the demo study's report (simulated readers included) on the default worker."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from rich.console import Console

from analysis import services
from analysis.models import ReportJob
from contests.models import Reading, Study
from core.models import JobStatus
from demo.options import DemoOptions
from demo.steps.study import TITLE


def setup(*, options: DemoOptions, out: Console) -> None:
    study = Study.objects.filter(title_en=TITLE).order_by("-created_at").first()
    if study is None:
        out.print("[yellow]No study yet: the results page fills in once readings arrive.")
        return
    url = reverse("analysis:study", args=[study.pk]) + "?simulated=1"
    out.print(f"Results of {study.title}: {url}")
    # Idempotent: a report newer than the study's last reading is not built again.
    last = Reading.objects.filter(case__phase__study=study).aggregate(at=Max("served_at"))["at"]
    fresh = ReportJob.objects.filter(study=study, include_simulated=True).exclude(
        status__in=[JobStatus.FAILED, JobStatus.CANCELLED]
    )
    if last is not None:
        fresh = fresh.filter(created_at__gte=last)
    latest = fresh.first()
    if latest is not None:
        out.print(f"Report files of study {study.pk}: up to date (job {latest.pk}).")
    else:
        with transaction.atomic():
            job = services.report_job_create(study=study, include_simulated=True)
        out.print(f"Report files of study {study.pk} queued (job {job.pk}).")
