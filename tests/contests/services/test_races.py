"""Two tabs of one reader at the same moment: the database keeps one reading per case."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from contests.models import Event, Outcome, Reading
from contests.services.errors import ReadingClosed
from contests.services.invitations import invitation_accept, invitation_create_batch
from contests.services.readings import reading_serve_next, reading_submit
from tests.contests.factories import PhaseFactory, StudyFactory, add_cases, make_participant

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)


def _together(work: Callable[[int], Any], n: int = 2) -> list[Any]:
    """Run ``work(i)`` in n threads released at once; return results or raised exceptions."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def reader() -> Any:
    study = StudyFactory()
    phase = PhaseFactory(study=study, order=1, time_limit_seconds=45)
    add_cases(phase, 4)
    participant, _ = make_participant(study, now=T0)
    return phase, participant


def test_two_tabs_opening_the_phase_at_once_get_the_same_case(reader) -> None:
    phase, participant = reader
    results = _together(lambda i: reading_serve_next(participant=participant, phase=phase, now=T0))
    assert all(isinstance(r, Reading) for r in results), results
    assert results[0].pk == results[1].pk
    assert Reading.objects.filter(participant=participant).count() == 1


def test_two_tabs_answering_differently_at_once_leave_one_answer(reader) -> None:
    phase, participant = reader
    reading = reading_serve_next(participant=participant, phase=phase, now=T0)
    answers = ["nv", "mel"]
    results = _together(
        lambda i: reading_submit(
            reading=reading, diagnosis=answers[i], now=T0 + timedelta(seconds=3)
        )
    )
    accepted = [r for r in results if isinstance(r, Reading)]
    refused = [r for r in results if isinstance(r, ReadingClosed)]
    assert len(accepted) == 1, results
    assert len(refused) == 1, results
    reading.refresh_from_db()
    assert reading.outcome == Outcome.ANSWERED
    assert reading.diagnosis == accepted[0].diagnosis
    assert Event.objects.filter(reading=reading, kind="answered").count() == 1


def test_two_readers_consenting_at_once_get_different_pseudonyms() -> None:
    study = StudyFactory()
    links = invitation_create_batch(study=study, n=2, now=T0)
    results = _together(
        lambda i: invitation_accept(
            invitation=links[i][0], consent_version="1", language="en", now=T0
        )
    )
    assert sorted(p.pseudonym for p in results) == ["R001", "R002"], results
