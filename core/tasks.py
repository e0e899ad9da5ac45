"""House task decorators: every task in the project goes through one of these.

``gpu_task``: long, memory-hungry, idempotent work (training, evaluation, prediction, GAN) on the
``gpu`` queue, one at a time per worker, acknowledged only after it ends so that a killed worker's
task is delivered again and resumes from its checkpoint.
``default_task``: imports, exports and reports on the ``default`` queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import shared_task  # noqa: TID251 - the one place that wraps it

GPU_QUEUE = "gpu"
DEFAULT_QUEUE = "default"


def gpu_task(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    settings = {
        "queue": GPU_QUEUE,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "max_retries": 3,
        **options,
    }
    decorator = shared_task(**settings)
    return decorator(func) if func is not None else decorator


def default_task(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    settings = {"queue": DEFAULT_QUEUE, "acks_late": True, "max_retries": 3, **options}
    decorator = shared_task(**settings)
    return decorator(func) if func is not None else decorator
