"""The contest's clock and case order, in plain Python (no Django): the server is the clock."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta


def deadline_for(
    *, served_at: datetime, limit_seconds: int | None, grace_seconds: float
) -> datetime | None:
    """``served_at + limit + grace``; None for an untimed phase."""
    if limit_seconds is None:
        return None
    return served_at + timedelta(seconds=limit_seconds + grace_seconds)


def elapsed_ms(*, start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds() * 1000))


def case_order(*, case_ids: Sequence[int], seed: int, phase_id: int, shuffled: bool) -> list[int]:
    """The order in which one participant meets a phase's cases.

    ``case_ids`` come in the phase's fixed order. A shuffled order depends only on the
    participant's stored seed and the phase, so it is rebuilt identically on every request.
    """
    order = list(case_ids)
    if shuffled:
        random.Random(f"{seed}:{phase_id}").shuffle(order)
    return order


def seconds_left(*, now: datetime, until: datetime | None) -> float | None:
    if until is None:
        return None
    return max(0.0, (until - now).total_seconds())
