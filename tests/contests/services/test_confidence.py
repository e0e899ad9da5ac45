"""The reader's answer to "How sure are you?": stored once with an answered reading."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contests.models import Reading, Study
from contests.services.confidence import reading_confidence_set
from contests.services.errors import ContestError, ReadingClosed
from contests.services.readings import reading_serve_next, reading_submit
from tests.contests.factories import PhaseFactory, StudyFactory, add_cases, make_participant

pytestmark = pytest.mark.django_db


def _reading(*, asks: bool, answer: bool = True) -> Reading:
    study: Study = StudyFactory(asks_confidence=asks)
    phase = PhaseFactory(study=study, time_limit_seconds=45)
    add_cases(phase, 2)
    reader, _ = make_participant(study)
    now = timezone.now()
    reading = reading_serve_next(participant=reader, phase=phase, now=now)
    if answer:
        reading = reading_submit(reading=reading, diagnosis="nv", now=now + timedelta(seconds=5))
    return reading


def test_the_confidence_is_kept_once_and_a_repeat_changes_nothing() -> None:
    reading = _reading(asks=True)
    now = timezone.now()
    assert reading_confidence_set(reading=reading, confidence=2, now=now).confidence == 2
    assert reading_confidence_set(reading=reading, confidence=2, now=now).confidence == 2
    with pytest.raises(ReadingClosed):
        reading_confidence_set(reading=reading, confidence=5, now=now)


def test_the_confidence_is_refused_where_it_is_not_asked_or_there_is_no_answer() -> None:
    now = timezone.now()
    with pytest.raises(ContestError, match="does not ask"):
        reading_confidence_set(reading=_reading(asks=False), confidence=3, now=now)
    with pytest.raises(ContestError, match="Only an answered case"):
        reading_confidence_set(reading=_reading(asks=True, answer=False), confidence=3, now=now)
    with pytest.raises(ContestError, match="from 1 to 5"):
        reading_confidence_set(reading=_reading(asks=True), confidence=0, now=now)
