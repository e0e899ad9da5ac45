"""Celery tasks of the analysis app: thin shells over the services."""

from __future__ import annotations

from typing import Any

from analysis.models import ReportJob
from core.services import job_is_done
from core.tasks import default_task


@default_task(bind=True)
def report_job_run_task(self: Any, *, job_id: int) -> str:
    from analysis.services import report_job_run  # the service queues this task: import late

    job = ReportJob.objects.filter(pk=job_id).select_related("study").first()
    if job is None or job_is_done(job):
        return "nothing to do"  # deleted, or delivered twice after it finished
    report_job_run(job=job, task_id=self.request.id or "")
    return "done"
