"""Serving cases, answers and timeouts: the server is the clock (DESIGN.md §5).

Every write here first locks the participant's row, so that two tabs (or a double click) of one
reader are taken one after the other and leave one reading per case. An answer and the next
case are one transaction with that one lock (``reading_submit_and_serve_next``); the events of a
transaction are written together in one INSERT at its end.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from classifier.models import Prediction
from contests.clock import deadline_for, elapsed_ms
from contests.models import Case, Event, EventKind, Outcome, Participant, Phase, Reading
from contests.selectors.hints import hint_snapshot
from contests.selectors.participant import (
    participant_case_order,
    participant_reading,
    phase_case,
    phase_lock_reason,
    phase_reading_states,
    phase_schedule_reason,
)
from contests.services.errors import ContestError, NotYetDue, PhaseLocked, ReadingClosed
from core.compiled import CompiledInsert, CompiledUpdate
from lesions.codes import DIAGNOSES

# A countdown that reaches zero in the browser may ask a hair before the server's own zero.
TIMEOUT_TOLERANCE = timedelta(seconds=1)

# The GP path's writes of a reading and of the reader's row, their SQL written once.
_SEEN = CompiledUpdate(Participant, ["last_seen_at"])
_ANSWER = CompiledUpdate(Reading, ["outcome", "diagnosis", "answered_at", "elapsed_ms"])
_TIMEOUT = CompiledUpdate(Reading, ["outcome", "elapsed_ms"])
_LATE = CompiledUpdate(Reading, ["late_diagnosis", "late_at"])
_NEW_READING = CompiledInsert(Reading)
_EVENTS = CompiledInsert(Event)


class _Log:
    """The events of one transaction, kept in order and written in one INSERT by ``write``."""

    def __init__(self, participant_id: int) -> None:
        self.participant_id = participant_id
        self.events: list[Event] = []

    def add(self, *, reading: Reading | None, kind: str, at: datetime, **data: Any) -> None:
        self.events.append(
            Event(participant_id=self.participant_id, reading=reading, kind=kind, at=at, data=data)
        )

    def shown(self, *, reading: Reading, now: datetime, first: bool) -> None:
        kind = EventKind.SERVED if first else EventKind.RESUMED
        self.add(reading=reading, kind=kind, at=now, position=reading.position)
        if reading.hint is not None:
            self.add(
                reading=reading,
                kind=EventKind.HINT_SHOWN,
                at=now,
                top=reading.hint["top"],
                style=reading.hint["style"],
            )

    def write(self) -> None:
        if self.events:
            _EVENTS.insert(self.events)
            self.events = []


def _lock(participant_id: int, now: datetime) -> None:
    """Lock the reader's row for the rest of the transaction; call it first in the transaction.

    The UPDATE takes PostgreSQL's row lock (as SELECT ... FOR UPDATE would) and, on SQLite, the
    database's write lock at once (see ``contests.services.locking``); while it is at it, it
    notes that the reader was seen now.
    """
    _SEEN.run(participant_id, last_seen_at=now)


def _time_out(*, reading: Reading, now: datetime, by: str, log: _Log) -> None:
    """Close a pending timed reading as timed out; its time is capped at the deadline."""
    assert reading.deadline is not None
    reading.outcome = Outcome.TIMED_OUT
    reading.elapsed_ms = elapsed_ms(start=reading.served_at, end=min(now, reading.deadline))
    _TIMEOUT.save(reading)
    log.add(reading=reading, kind=EventKind.TIMED_OUT, at=now, by=by)


def _expire(*, participant: Participant, phase: Phase, now: datetime, log: _Log) -> int:
    expired = list(
        Reading.objects.filter(
            participant=participant, case__phase=phase, outcome=Outcome.PENDING, deadline__lt=now
        )
    )
    for reading in expired:
        reading.participant = participant
        _time_out(reading=reading, now=now, by="expired", log=log)
    return len(expired)


@transaction.atomic
def phase_expire_readings(*, participant: Participant, phase: Phase, now: datetime) -> int:
    """Mark this participant's pending readings of the phase whose deadline passed as timed out."""
    log = _Log(participant.pk)
    expired = _expire(participant=participant, phase=phase, now=now, log=log)
    log.write()
    return expired


def _store_case_order(participant: Participant, phase: Phase, order: list[int]) -> None:
    """Keep the phase's order on the reader's row (read again under the lock: another phase's
    order may have been stored by another tab since the row was read)."""
    stored = dict(
        Participant.objects.filter(pk=participant.pk).values_list("case_orders", flat=True).get()
    )
    stored[str(phase.pk)] = order
    Participant.objects.filter(pk=participant.pk).update(case_orders=stored)
    participant.case_orders = stored


def _next_case(
    participant: Participant, phase: Phase, seen: set[int], now: datetime
) -> tuple[int, Case] | None:
    """The first case of the reader's order not yet served, with its place in the order; None
    when all were served.

    The order is computed from the seed once, on the phase's first case, and then read from the
    reader's row. Everything that may lock a phase is checked on its first case; on the later
    ones, what can change while a reader is in it: the study's status and the phase's dates.
    """
    order = participant.case_orders.get(str(phase.pk))
    first = order is None
    if order is None:
        order = participant_case_order(participant=participant, phase=phase)
    remaining = [(i, case_id) for i, case_id in enumerate(order) if case_id not in seen]
    if not remaining:
        return None
    reason = (
        phase_lock_reason(participant=participant, phase=phase, now=now)
        if first
        else phase_schedule_reason(phase=phase, now=now)
    )
    if reason is not None:
        raise PhaseLocked(reason)
    position, case_id = remaining[0]
    case = phase_case(phase=phase, case_id=case_id)
    if case is None and not first:
        # The cases changed under a stored order (only possible with no reading left in the
        # phase): build the order again.
        participant.case_orders = {
            k: v for k, v in participant.case_orders.items() if k != str(phase.pk)
        }
        return _next_case(participant, phase, seen, now)
    if case is None:
        return None
    if first:
        _store_case_order(participant, phase, order)
    return position, case


def _serve_next(
    *, participant: Participant, phase: Phase, now: datetime, log: _Log
) -> Reading | None:
    rows = phase_reading_states(participant=participant, phase=phase)
    pending = [
        (pk, deadline) for pk, _case, outcome, deadline in rows if outcome == Outcome.PENDING
    ]
    expired = 0
    if any(deadline is not None and deadline < now for _pk, deadline in pending):
        expired = _expire(participant=participant, phase=phase, now=now, log=log)
    still_open = [pk for pk, deadline in pending if deadline is None or deadline >= now]
    if still_open:
        current = (
            Reading.objects.select_related("case__image")
            .filter(pk__in=still_open)
            .order_by("position")
            .first()
        )
        if current is not None:
            current.participant = participant
            log.shown(reading=current, now=now, first=False)
            return current
    found = _next_case(participant, phase, {case_id for _pk, case_id, _o, _d in rows}, now)
    if found is None:
        return None
    position, case = found
    try:
        hint = hint_snapshot(phase=phase, image=case.image)
    except Prediction.DoesNotExist:
        raise PhaseLocked(_("This part is being prepared.")) from None
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
        hint=hint,
    )
    if connection.features.has_select_for_update:
        _NEW_READING.insert_one(reading)  # the row lock keeps a second tab out till this commits
    else:
        try:
            with transaction.atomic():
                reading.save()
        except IntegrityError:
            # Only reachable where the database cannot lock rows: the other tab won.
            return Reading.objects.select_related("participant", "case__image").get(
                participant=participant, case=case
            )
    if expired:
        log.add(reading=None, kind=EventKind.RESUMED, at=now, expired=expired)
    log.shown(reading=reading, now=now, first=True)
    return reading


@transaction.atomic
def reading_serve_next(*, participant: Participant, phase: Phase, now: datetime) -> Reading | None:
    """The case this participant should see now in the phase, or None when the phase is done.

    An open reading is served again as it is, its clock running since it was first served
    (reload, back button, second tab, a later visit). In a timed phase the readings whose
    deadline passed while the reader was away are timed out first, so the reader goes on at the
    next case; in an untimed phase the open reading waits, so the reader resumes where they left.
    """
    _lock(participant.pk, now)
    log = _Log(participant.pk)
    reading = _serve_next(participant=participant, phase=phase, now=now, log=log)
    log.write()
    return reading


def _submit(*, reading: Reading, diagnosis: str, now: datetime, log: _Log) -> Reading:
    if reading.outcome == Outcome.ANSWERED:
        if reading.diagnosis == diagnosis:
            return reading
        raise ReadingClosed("This case is already answered.")
    if reading.outcome == Outcome.TIMED_OUT:
        if reading.late_diagnosis == diagnosis:
            return reading
        if reading.late_diagnosis:
            raise ReadingClosed("This case has already timed out.")
        return _store_late(reading=reading, diagnosis=diagnosis, now=now, log=log)
    if reading.deadline is not None and now > reading.deadline:
        # Closed by the deadline that passed, then the late answer kept beside it.
        _time_out(reading=reading, now=now, by="deadline", log=log)
        return _store_late(reading=reading, diagnosis=diagnosis, now=now, log=log)
    reading.outcome = Outcome.ANSWERED
    reading.diagnosis = diagnosis
    reading.answered_at = now
    reading.elapsed_ms = elapsed_ms(start=reading.served_at, end=now)
    _ANSWER.save(reading)
    log.add(
        reading=reading,
        kind=EventKind.ANSWERED,
        at=now,
        diagnosis=diagnosis,
        elapsed_ms=reading.elapsed_ms,
    )
    return reading


def _store_late(*, reading: Reading, diagnosis: str, now: datetime, log: _Log) -> Reading:
    reading.late_diagnosis = diagnosis
    reading.late_at = now
    _LATE.save(reading)
    log.add(
        reading=reading,
        kind=EventKind.TIMED_OUT,
        at=now,
        by="late_answer",
        late_diagnosis=diagnosis,
    )
    return reading


@transaction.atomic
def reading_submit(*, reading: Reading, diagnosis: str, now: datetime) -> Reading:
    """Record an answer. Identical repeats return the stored reading unchanged.

    An answer after the deadline is kept as a late answer on a timed-out reading, never counted;
    a different answer to a closed reading is refused with ``ReadingClosed``.
    """
    if diagnosis not in DIAGNOSES:
        raise ContestError(f"Unknown diagnosis {diagnosis!r}")
    _lock(reading.participant_id, now)
    reading = Reading.objects.select_related("participant").get(pk=reading.pk)
    log = _Log(reading.participant_id)
    reading = _submit(reading=reading, diagnosis=diagnosis, now=now, log=log)
    log.write()
    return reading


@dataclass(frozen=True)
class AnswerServed:
    """What follows an answer: the phase, and its next case or why there is none."""

    phase: Phase
    reading: Reading | None  # the case to read now; None when the phase is done or locked
    locked: str | None = None  # why no new case may be served, in words for the reader


@transaction.atomic
def reading_submit_and_serve_next(
    *,
    participant: Participant,
    phase_order: int,
    case_key: str,
    diagnosis: str,
    now: datetime,
    serve_next: bool = True,
) -> AnswerServed:
    """A GP's answer to the case ``case_key`` of their phase, then the next case to read.

    One transaction, one lock. The rules are ``reading_submit``'s and ``reading_serve_next``'s,
    except that a different answer to a closed reading is ignored (the reader simply goes on)
    and a phase that locks is returned as ``locked``, the answer kept. Raises
    ``Reading.DoesNotExist`` when no such case was served to this reader in that phase.
    """
    if diagnosis not in DIAGNOSES:
        raise ContestError(f"Unknown diagnosis {diagnosis!r}")
    _lock(participant.pk, now)
    reading = participant_reading(
        participant=participant, phase_order=phase_order, case_key=case_key
    )
    phase = reading.case.phase
    log = _Log(participant.pk)
    # Closed meanwhile (another tab, or the clock): nothing was written, the reader goes on.
    with contextlib.suppress(ReadingClosed):
        _submit(reading=reading, diagnosis=diagnosis, now=now, log=log)
    served = None
    locked = None
    if serve_next:
        try:
            served = _serve_next(participant=participant, phase=phase, now=now, log=log)
        except PhaseLocked as error:
            locked = str(error)
    log.write()
    return AnswerServed(phase=phase, reading=served, locked=locked)


@transaction.atomic
def reading_time_out(*, reading: Reading, now: datetime) -> Reading:
    """The page's countdown reached zero: close the reading as timed out, if the server agrees.

    Idempotent; refused with ``NotYetDue`` while the server's clock still leaves time, and with
    ``ContestError`` in an untimed phase.
    """
    _lock(reading.participant_id, now)
    reading = Reading.objects.select_related("participant", "case__phase__study").get(pk=reading.pk)
    if reading.outcome != Outcome.PENDING:
        return reading
    if reading.deadline is None:
        raise ContestError("An untimed case cannot time out.")
    grace = timedelta(seconds=reading.case.phase.study.grace_seconds)
    if now + TIMEOUT_TOLERANCE < reading.deadline - grace:
        raise NotYetDue("There is time left on this case.")
    log = _Log(reading.participant_id)
    _time_out(reading=reading, now=now, by="countdown", log=log)
    log.write()
    return reading
