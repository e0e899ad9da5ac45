"""A crossover end to end in the services, with a moved clock (nothing ever waits): the second
session is refused before the washout and served after it, in each arm's own order, and the
optional reminder goes out once, then the address is gone."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from contests.clock import case_order
from contests.models import Participant, Phase, Study
from contests.selectors.designs import participant_next_session, participant_session
from contests.selectors.participant import participant_progress
from contests.services.builder import study_open
from contests.services.errors import ContestError, PhaseLocked
from contests.services.participants import participant_create
from contests.services.presets import study_create_crossover
from contests.services.readings import reading_serve_next, reading_submit
from contests.services.sessions import participant_reminder_set, session_reminders_send
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run

pytestmark = pytest.mark.django_db

START = timezone.now() - timedelta(days=90)


@pytest.fixture
def study() -> Study:
    dataset = held_out_catalogue(per_class=12)
    study = study_create_crossover(
        dataset=dataset, hint_run=predicting_run(dataset), scale=0.05, washout_days=28
    )
    return study_open(study=study)


def _reader(study: Study, arm: int) -> Participant:
    while True:
        reader = participant_create(study=study, consent_version="1", now=START)
        if reader.arm == arm:
            return reader


def _take(reader: Participant, phase: Phase, clock: datetime) -> datetime:
    """Answer every case of the phase, 20 s each; returns the reader's clock at the end."""
    while (reading := reading_serve_next(participant=reader, phase=phase, now=clock)) is not None:
        clock += timedelta(seconds=20)
        reading_submit(reading=reading, diagnosis="nv", now=clock)
        clock += timedelta(seconds=1)
    return clock


def test_the_second_session_is_refused_before_the_washout_and_served_after_it(
    study: Study,
) -> None:
    without, with_ai = study.phases.order_by("order")
    reader = _reader(study, arm=0)
    with pytest.raises(PhaseLocked, match="opens 28 days after you finish the first"):
        reading_serve_next(participant=reader, phase=with_ai, now=START)
    finished = _take(reader, without, START) - timedelta(seconds=1)
    opens = finished + timedelta(days=28)
    with pytest.raises(PhaseLocked, match="Your second session opens on"):
        reading_serve_next(participant=reader, phase=with_ai, now=opens - timedelta(seconds=1))
    served = reading_serve_next(participant=reader, phase=with_ai, now=opens)
    assert served is not None
    assert served.hint is not None
    assert participant_session(participant=reader, phase=with_ai) == 2


def test_arm_one_starts_with_the_ai_and_waits_for_the_session_without_it(study: Study) -> None:
    without, with_ai = study.phases.order_by("order")
    reader = _reader(study, arm=1)
    progress = participant_progress(participant=reader, now=START)
    assert [p.phase for p in progress] == [with_ai, without]
    assert progress[0].lock_reason is None
    assert "28 days" in (progress[1].lock_reason or "")
    finished = _take(reader, with_ai, START) - timedelta(seconds=1)
    next_session = participant_next_session(participant=reader, now=finished + timedelta(days=1))
    assert next_session is not None
    assert next_session.phase == without
    assert next_session.opens_at == finished + timedelta(days=28)
    assert (
        reading_serve_next(participant=reader, phase=without, now=finished + timedelta(days=28))
        is not None
    )


def test_each_session_shuffles_the_same_cases_with_its_own_seed(study: Study) -> None:
    without, with_ai = study.phases.order_by("order")
    reader = _reader(study, arm=0)
    first = _take(reader, without, START)
    _take(reader, with_ai, first + timedelta(days=29))
    images = {}
    for phase in (without, with_ai):
        met = list(
            reader.readings.filter(case__phase=phase)
            .order_by("position")
            .values_list("case_id", "case__image_id")
        )
        built = list(phase.cases.order_by("position").values_list("id", flat=True))
        # The reader's stored seed and the session's phase: rebuilt identically, per session.
        assert [case for case, _ in met] == case_order(
            case_ids=built, seed=reader.order_seed, phase_id=phase.pk, shuffled=True
        )
        images[phase.pk] = sorted(image for _, image in met)
    assert images[without.pk] == images[with_ai.pk]
    assert len(images[without.pk]) == 4


def test_the_reminder_goes_once_when_the_session_opens_and_the_address_is_erased(
    study: Study,
) -> None:
    without, _ = study.phases.order_by("order")
    reader = _reader(study, arm=0)
    finished = _take(reader, without, START) - timedelta(seconds=1)
    participant_reminder_set(participant=reader, email="gp@example.org", now=finished)
    assert session_reminders_send(now=finished + timedelta(days=27)) == 0
    assert mail.outbox == []
    assert session_reminders_send(now=finished + timedelta(days=28)) == 1
    (message,) = mail.outbox
    assert message.to == ["gp@example.org"]
    assert study.title in message.subject
    reader.refresh_from_db()
    assert reader.reminder_email == ""
    assert reader.reminder_sent_at == finished + timedelta(days=28)
    assert session_reminders_send(now=finished + timedelta(days=30)) == 0
    assert len(mail.outbox) == 1


def test_the_reminder_command_sends_what_is_due(study: Study) -> None:
    without, _ = study.phases.order_by("order")
    reader = _reader(study, arm=0)
    _take(reader, without, timezone.now() - timedelta(days=40))
    participant_reminder_set(participant=reader, email="gp@example.org", now=timezone.now())
    out = io.StringIO()
    call_command("send_session_reminders", stdout=out)
    assert out.getvalue().strip() == "1 reminders sent"
    assert len(mail.outbox) == 1


def test_a_reminder_needs_an_address_and_a_crossover(study: Study) -> None:
    reader = _reader(study, arm=0)
    with pytest.raises(ContestError, match="not an e-mail address"):
        participant_reminder_set(participant=reader, email="not-an-address", now=START)
    Study.objects.filter(pk=study.pk).update(design="sequential")
    reader.refresh_from_db()
    with pytest.raises(ContestError, match="no second session"):
        participant_reminder_set(participant=reader, email="gp@example.org", now=START)
