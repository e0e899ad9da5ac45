"""The demo's background job: the simulated GPs take the AI phase once its model has predicted."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from contests.models import Study
from core.tasks import default_task

# The demo's AI phase waits for a model that trains on the gpu queue: look again every 20 s,
# for up to two hours.
HINT_PHASE_POLL_SECONDS = 20
HINT_PHASE_POLLS = 360


@default_task(bind=True, max_retries=HINT_PHASE_POLLS)
def demo_finish_hint_phase(self: Any, *, study_id: int, seed: int) -> str:
    """Have the demo's simulated GPs take the AI phase once its hints exist (idempotent)."""
    from demo.steps.study import finish_hint_phase

    study = Study.objects.get(pk=study_id)
    if not finish_hint_phase(study=study, seed=seed, out=Console(quiet=True)):
        raise self.retry(countdown=HINT_PHASE_POLL_SECONDS)
    return f"study {study_id}: AI phase taken by the simulated GPs"
