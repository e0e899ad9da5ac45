"""Serving cases, answers and timeouts: the server is the clock (DESIGN.md §5).

Every write here first locks the participant's row, so that two tabs (or a double click) of one
reader are taken one after the other and leave one reading per case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from contests.clock import deadline_for, elapsed_ms
from contests.models import Case, Event, EventKind, Outcome, Participant, Phase, Reading
from contests.selectors.hints import hint_snapshot
from contests.selectors.participant import participant_case_order, phase_lock_reason
from contests.services.errors import ContestError, NotYetDue, PhaseLocked, ReadingClosed
from contests.services.locking import lock_row
from lesions.codes import DIAGNOSES

# A countdown that reaches zero in the browser may ask a hair before the server's own zero.
TIMEOUT_TOLERANCE = timedelta(seconds=1)


def _log(
    *, participant: Participant, reading: Reading | None, kind: str, at: datetime, **data: Any
) -> None:
    Event.objects.create(participant=participant, reading=reading, kind=kind, at=at, data=data)


def _lock(participant: Participant) -> Participant:
    lock_row(Participant, participant.pk, "order_seed")
    return Participant.objects.get(pk=participant.pk)


def _time_out(*, reading: Reading, now: datetime, by: str) -> None:
    """Close a pending timed reading as timed out; its time is capped at the deadline."""
    assert reading.deadline is not None
    reading.outcome = Outcome.TIMED_OUT
    reading.elapsed_ms = elapsed_ms(start=reading.served_at, end=min(now, reading.deadline))
    reading.save(update_fields=["outcome", "elapsed_ms"])
    _log(
        participant=reading.participant,
        reading=reading,
        kind=EventKind.TIMED_OUT,
        at=now,
        by=by,
    )


def phase_expire_readings(*, participant: Participant, phase: Phase, now: datetime) -> int:
    """Mark this participant's pending readings of the phase whose deadline passed as timed out."""
    expired = list(
        Reading.objects.select_related("participant").filter(
            participant=participant,
            case__phase=phase,
            outcome=Outcome.PENDING,
            deadline__lt=now,
        )
    )
    for reading in expired:
        _time_out(reading=reading, now=now, by="expired")
    return len(expired)


def _log_shown(*, reading: Reading, now: datetime, first: bool, **data: Any) -> None:
    kind = EventKind.SERVED if first else EventKind.RESUMED
    _log(
        participant=reading.participant,
        reading=reading,
        kind=kind,
        at=now,
        position=reading.position,
        **data,
    )
    if reading.hint is not None:
        _log(
            participant=reading.participant,
            reading=reading,
            kind=EventKind.HINT_SHOWN,
            at=now,
            top=reading.hint["top"],
            style=reading.hint["style"],
        )


@transaction.atomic
def reading_serve_next(*, participant: Participant, phase: Phase, now: datetime) -> Reading | None:
    """The case this participant should see now in the phase, or None when the phase is done.

    An open reading is served again as it is, its clock running since it was first served
    (reload, back button, second tab, a later visit). In a timed phase the readings whose
    deadline passed while the reader was away are timed out first, so the reader goes on at the
    next case; in an untimed phase the open reading waits, so the reader resumes where they left.
    """
    participant = _lock(participant)
    expired = phase_expire_readings(participant=participant, phase=phase, now=now)
    current = (
        Reading.objects.select_related("participant", "case__image")
        .filter(participant=participant, case__phase=phase, outcome=Outcome.PENDING)
        .order_by("position")
        .first()
    )
    if current is not None:
        _log_shown(reading=current, now=now, first=False)
        return current
    order = participant_case_order(participant=participant, phase=phase)
    seen = set(
        Reading.objects.filter(participant=participant, case__phase=phase).values_list(
            "case_id", flat=True
        )
    )
    remaining = [(i, case_id) for i, case_id in enumerate(order) if case_id not in seen]
    if not remaining:
        return None
    # A phase that is locked never serves a new case (an open reading above may still finish).
    reason = phase_lock_reason(participant=participant, phase=phase, now=now)
    if reason is not None:
        raise PhaseLocked(reason)
    position, case_id = remaining[0]
    case = Case.objects.select_related("image").get(pk=case_id)
    reading = Reading(
        participant=participant,
        case=case,
        position=position,
        served_at=now,
        deadline=deadline_for(
            served_at=now,
            limit_seconds=phase.time_limit_seconds,
            grace_seconds=phase.study.grace_seconds,
        ),
        hint=hint_snapshot(phase=phase, image=case.image),
    )
    try:
        with transaction.atomic():
            reading.save()
    except IntegrityError:
        # Only reachable where the database cannot lock rows (SQLite): the other tab won.
        return Reading.objects.select_related("participant", "case__image").get(
            participant=participant, case=case
        )
    if expired:
        _log(participant=participant, reading=None, kind=EventKind.RESUMED, at=now, expired=expired)
    _log_shown(reading=reading, now=now, first=True)
    return reading


@transaction.atomic
def reading_submit(*, reading: Reading, diagnosis: str, now: datetime) -> Reading:
    """Record an answer. Identical repeats return the stored reading unchanged.

    An answer after the deadline is kept as a late answer on a timed-out reading, never counted;
    a different answer to a closed reading is refused with ``ReadingClosed``.
    """
    if diagnosis not in DIAGNOSES:
        raise ContestError(f"Unknown diagnosis {diagnosis!r}")
    _lock(reading.participant)
    reading = Reading.objects.select_related("participant").get(pk=reading.pk)
    if reading.outcome == Outcome.ANSWERED:
        if reading.diagnosis == diagnosis:
            return reading
        raise ReadingClosed("This case is already answered.")
    if reading.outcome == Outcome.TIMED_OUT:
        if reading.late_diagnosis == diagnosis:
            return reading
        if reading.late_diagnosis:
            raise ReadingClosed("This case has already timed out.")
        return _store_late(reading=reading, diagnosis=diagnosis, now=now)
    if reading.deadline is not None and now > reading.deadline:
        # Closed by the deadline that passed, then the late answer kept beside it.
        _time_out(reading=reading, now=now, by="deadline")
        return _store_late(reading=reading, diagnosis=diagnosis, now=now)
    reading.outcome = Outcome.ANSWERED
    reading.diagnosis = diagnosis
    reading.answered_at = now
    reading.elapsed_ms = elapsed_ms(start=reading.served_at, end=now)
    reading.save(update_fields=["outcome", "diagnosis", "answered_at", "elapsed_ms"])
    _log(
        participant=reading.participant,
        reading=reading,
        kind=EventKind.ANSWERED,
        at=now,
        diagnosis=diagnosis,
        elapsed_ms=reading.elapsed_ms,
    )
    return reading


def _store_late(*, reading: Reading, diagnosis: str, now: datetime) -> Reading:
    reading.late_diagnosis = diagnosis
    reading.late_at = now
    reading.save(update_fields=["late_diagnosis", "late_at"])
    _log(
        participant=reading.participant,
        reading=reading,
        kind=EventKind.TIMED_OUT,
        at=now,
        by="late_answer",
        late_diagnosis=diagnosis,
    )
    return reading


@transaction.atomic
def reading_time_out(*, reading: Reading, now: datetime) -> Reading:
    """The page's countdown reached zero: close the reading as timed out, if the server agrees.

    Idempotent; refused with ``NotYetDue`` while the server's clock still leaves time, and with
    ``ContestError`` in an untimed phase.
    """
    _lock(reading.participant)
    reading = Reading.objects.select_related("participant").get(pk=reading.pk)
    if reading.outcome != Outcome.PENDING:
        return reading
    if reading.deadline is None:
        raise ContestError("An untimed case cannot time out.")
    grace = timedelta(seconds=reading.case.phase.study.grace_seconds)
    if now + TIMEOUT_TOLERANCE < reading.deadline - grace:
        raise NotYetDue("There is time left on this case.")
    _time_out(reading=reading, now=now, by="countdown")
    return reading
