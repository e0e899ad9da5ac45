"""A participant's case order: shuffled per participant from the stored seed, or fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contests.models import CaseOrder
from contests.selectors.participant import participant_case_order
from contests.services.readings import reading_serve_next, reading_submit
from tests.contests.factories import PhaseFactory, StudyFactory, add_cases, make_participant

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_order_is_shuffled_per_participant_and_reproducible() -> None:
    study = StudyFactory()
    phase = PhaseFactory(study=study, order=1, case_order=CaseOrder.SHUFFLED)
    add_cases(phase, 30)
    a, _ = make_participant(study, now=T0)
    b, _ = make_participant(study, now=T0)
    order_a = participant_case_order(participant=a, phase=phase)
    assert order_a == participant_case_order(participant=a, phase=phase)
    assert sorted(order_a) == sorted(phase.cases.values_list("id", flat=True))
    assert order_a != participant_case_order(participant=b, phase=phase)
    served = []
    for i in range(30):
        reading = reading_serve_next(participant=a, phase=phase, now=at(i))
        served.append(reading.case_id)
        reading_submit(reading=reading, diagnosis="nv", now=at(i + 0.5))
    assert served == order_a


def test_a_fixed_order_follows_the_case_positions() -> None:
    study = StudyFactory()
    phase = PhaseFactory(study=study, order=1, case_order=CaseOrder.FIXED)
    cases = add_cases(phase, 6)
    participant, _ = make_participant(study, now=T0)
    assert participant_case_order(participant=participant, phase=phase) == [c.pk for c in cases]
