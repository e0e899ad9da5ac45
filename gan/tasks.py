"""Celery tasks of the gan app: thin shells over the services, taking ids."""

from __future__ import annotations

from typing import Any

from core.services import job_is_done
from core.tasks import gpu_task
from gan.models import GanRun
from gan.services import gan_run_train


@gpu_task(bind=True)
def train_gan_run(self: Any, *, run_id: int) -> int:
    """Train a GAN run to the end. Queued again after its worker died, it resumes from the
    run's last stored checkpoint; a copy delivered while another worker holds the run's lease,
    or one for a finished run, leaves it as it is."""
    run = GanRun.objects.get(pk=run_id)
    if not job_is_done(run):
        gan_run_train(run=run, task_id=self.request.id or "")
    return run.pk
