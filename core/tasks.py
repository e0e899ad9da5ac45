"""House task decorators: every task in the project goes through one of these.

``gpu_task``: long, memory-hungry work (training, evaluation, prediction, GAN) on the ``gpu``
queue, one at a time per worker, acknowledged only after it ends.
``default_task``: imports, exports and reports on the ``default`` queue.

A job's task runs its service through ``core.services.job_running``, which claims the job's
lease: a task that finds the job not its own to run (finished, run by a live worker elsewhere,
given up) ends quietly here, whichever app it belongs to. A task delivered again after its
worker died resumes the job from its checkpoint; one whose worker vanished without a word is
queued again by ``jobs_maintain`` once the lease goes stale.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task  # noqa: TID251 - the one place that wraps it

from core.services import JobSkipped, LeaseLost, jobs_maintain

GPU_QUEUE = "gpu"
DEFAULT_QUEUE = "default"

logger = logging.getLogger(__name__)


def _quiet_when_skipped(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (JobSkipped, LeaseLost) as reason:
            logger.info("%s left its job: %s", func.__name__, reason)
            return f"skipped: {reason}"

    return run


def _task(defaults: dict[str, Any], func: Callable[..., Any] | None, options: Any) -> Any:
    decorator = shared_task(**{**defaults, **options})
    if func is not None:
        return decorator(_quiet_when_skipped(func))
    return lambda f: decorator(_quiet_when_skipped(f))


def gpu_task(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    # Retries are counted on the job's row (its attempts, JOB_MAX_ATTEMPTS), not by Celery,
    # which cannot count the deliveries of a worker that was killed.
    defaults = {"queue": GPU_QUEUE, "acks_late": True, "reject_on_worker_lost": True}
    return _task(defaults, func, options)


def default_task(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    return _task({"queue": DEFAULT_QUEUE, "acks_late": True, "max_retries": 3}, func, options)


@default_task(ignore_result=True)
def jobs_maintain_task() -> str:
    """Celery beat's periodic job: requeue what dead workers left, deliver the outbox."""
    return str(jobs_maintain())
