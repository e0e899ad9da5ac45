"""The training task, run by a real Celery worker process."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.models import JobStatus
from gan.models import GanRun
from gan.tasks import train_gan_run
from lesions.codes import DIAGNOSES
from tests.worker import WorkerProcess

pytestmark = [pytest.mark.worker, pytest.mark.slow]


def test_a_worker_trains_the_run_and_fills_its_gallery(
    celery_worker_process: WorkerProcess,
    make_run: Callable[..., GanRun],
) -> None:
    run = make_run(name="by-worker")
    train_gan_run.apply_async(kwargs={"run_id": run.pk}, queue=celery_worker_process.queue)

    def finished() -> bool:
        run.refresh_from_db()
        return run.is_finished

    celery_worker_process.wait_for(finished, timeout=180)
    assert run.status == JobStatus.SUCCEEDED, run.error
    assert run.celery_task_id
    assert run.images_seen == run.total_images
    assert {g.diagnosis for g in run.generated.all()} == set(DIAGNOSES)
    # delivered again (as after a lost acknowledgement), the task leaves a finished run alone
    train_gan_run.apply_async(kwargs={"run_id": run.pk}, queue=celery_worker_process.queue)
    celery_worker_process.wait_for(
        lambda: celery_worker_process.output().count("succeeded in") >= 2, timeout=60
    )
    assert GanRun.objects.get(pk=run.pk).attempts == 1
