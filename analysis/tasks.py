"""Celery tasks of the analysis app: thin shells over the services."""

from __future__ import annotations

from analysis.models import ReportJob
from core.models import JobStatus
from core.tasks import default_task


@default_task
def report_job_run_task(*, job_id: int) -> str:
    from analysis.services import report_job_run

    job = ReportJob.objects.filter(pk=job_id).select_related("study").first()
    if job is None or job.status == JobStatus.SUCCEEDED:
        return "nothing to do"  # deleted, or delivered twice after it finished
    report_job_run(job=job)
    return "done"
