"""The reader's answer to "How sure are you?" (1 to 5), asked after each answer where asked."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from contests.models import Event, EventKind, Outcome, Participant, Reading
from contests.services.errors import ContestError, ReadingClosed
from contests.services.locking import lock_row

CONFIDENCE_LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)


@transaction.atomic
def reading_confidence_set(*, reading: Reading, confidence: int, now: datetime) -> Reading:
    """Store the reader's confidence in an answered reading, once. An identical repeat returns
    the reading unchanged; a different one is refused with ``ReadingClosed``. Asked after the
    answer, so it never takes time from the case's clock."""
    if confidence not in CONFIDENCE_LEVELS:
        raise ContestError(_("Confidence runs from 1 to 5, not %(given)r.") % {"given": confidence})
    lock_row(Participant, reading.participant_id, "order_seed")
    reading = Reading.objects.select_related("participant__study").get(pk=reading.pk)
    if not reading.participant.study.asks_confidence:
        raise ContestError(_("This study does not ask how sure the reader is."))
    if reading.outcome != Outcome.ANSWERED:
        raise ContestError(_("Only an answered case has a confidence."))
    if reading.confidence is not None:
        if reading.confidence == confidence:
            return reading
        raise ReadingClosed(_("The confidence in this answer is already given."))
    reading.confidence = confidence
    reading.save(update_fields=["confidence"])
    Event.objects.create(
        participant=reading.participant,
        reading=reading,
        kind=EventKind.CONFIDENCE,
        at=now,
        data={"confidence": confidence},
    )
    return reading
