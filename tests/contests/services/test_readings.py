"""The server is the clock: serving, answers, timeouts, resume, order, gating and hints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError

from contests.models import (
    AppendOnlyError,
    Event,
    EventKind,
    HintStyle,
    Outcome,
    Participant,
    Reading,
)
from contests.selectors.participant import participant_case_order, phase_is_done
from contests.services.errors import ContestError, NotYetDue, PhaseLocked, ReadingClosed
from contests.services.readings import (
    reading_serve_next,
    reading_submit,
    reading_submit_and_serve_next,
    reading_time_out,
)
from tests.contests.factories import (
    PhaseFactory,
    StudyFactory,
    TrainingRunFactory,
    add_cases,
    make_participant,
    predict,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def timed():
    """A study with one 45-second phase of five cases, and one reader."""
    study = StudyFactory(grace_seconds=2.0)
    phase = PhaseFactory(study=study, order=1, time_limit_seconds=45)
    add_cases(phase, 5)
    participant, _ = make_participant(study, now=T0)
    return phase, participant


@pytest.fixture
def untimed():
    study = StudyFactory()
    phase = PhaseFactory(study=study, order=1, time_limit_seconds=None)
    add_cases(phase, 4)
    participant, _ = make_participant(study, now=T0)
    return phase, participant


def test_the_deadline_is_served_at_plus_limit_plus_grace(timed) -> None:
    phase, participant = timed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    assert reading.served_at == at(0)
    assert reading.deadline == at(47)
    assert reading.display_deadline(2.0) == at(45)


def test_an_untimed_case_has_no_deadline(untimed) -> None:
    phase, participant = untimed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    assert reading.deadline is None


def test_serving_again_never_restarts_the_clock(timed) -> None:
    phase, participant = timed
    first = reading_serve_next(participant=participant, phase=phase, now=at(0))
    again = reading_serve_next(participant=participant, phase=phase, now=at(30))
    assert again.pk == first.pk
    assert again.served_at == at(0)
    assert again.deadline == at(47)
    assert Reading.objects.filter(participant=participant).count() == 1
    kinds = list(Event.objects.filter(reading=first).values_list("kind", flat=True))
    assert kinds == [EventKind.SERVED, EventKind.RESUMED]


def test_an_answer_within_the_grace_counts(timed) -> None:
    phase, participant = timed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    reading = reading_submit(reading=reading, diagnosis="bcc", now=at(46.5))
    assert reading.outcome == Outcome.ANSWERED
    assert reading.diagnosis == "bcc"
    assert reading.elapsed_ms == 46500
    assert reading.answered_at == at(46.5)


def test_an_answer_after_the_deadline_is_kept_as_a_flagged_timeout(timed) -> None:
    phase, participant = timed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    reading = reading_submit(reading=reading, diagnosis="bcc", now=at(47.5))
    assert reading.outcome == Outcome.TIMED_OUT
    assert reading.diagnosis == ""
    assert reading.is_late
    assert reading.late_diagnosis == "bcc"
    assert reading.late_at == at(47.5)
    assert reading.elapsed_ms == 47000
    logged = [(e.kind, e.data.get("by")) for e in Event.objects.filter(reading=reading)]
    assert logged == [("served", None), ("timed_out", "deadline"), ("timed_out", "late_answer")]
    # Repeating the same late answer changes nothing; a different one is refused.
    assert reading_submit(reading=reading, diagnosis="bcc", now=at(48)).late_at == at(47.5)
    with pytest.raises(ReadingClosed):
        reading_submit(reading=reading, diagnosis="mel", now=at(49))


def test_an_identical_repeated_submit_returns_the_same_reading(timed) -> None:
    phase, participant = timed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    first = reading_submit(reading=reading, diagnosis="nv", now=at(10))
    second = reading_submit(reading=reading, diagnosis="nv", now=at(11))
    assert second.pk == first.pk
    assert second.answered_at == at(10)
    assert second.elapsed_ms == 10000
    assert Event.objects.filter(reading=reading, kind=EventKind.ANSWERED).count() == 1


def test_a_different_answer_to_an_answered_case_is_refused(timed) -> None:
    phase, participant = timed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    reading_submit(reading=reading, diagnosis="nv", now=at(10))
    with pytest.raises(ReadingClosed):
        reading_submit(reading=reading, diagnosis="mel", now=at(12))
    reading.refresh_from_db()
    assert reading.diagnosis == "nv"


def test_an_unknown_diagnosis_is_refused_and_nothing_is_stored(timed) -> None:
    phase, participant = timed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    with pytest.raises(ContestError, match="Unknown diagnosis"):
        reading_submit(reading=reading, diagnosis="melanoma", now=at(5))
    reading.refresh_from_db()
    assert reading.outcome == Outcome.PENDING


def test_the_database_allows_one_reading_per_participant_and_case(timed) -> None:
    phase, participant = timed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    with pytest.raises(IntegrityError):
        Reading.objects.create(
            participant=participant, case=reading.case, position=9, served_at=at(1)
        )


def test_the_countdown_reaching_zero_times_the_case_out_and_the_next_follows(timed) -> None:
    phase, participant = timed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    reading = reading_time_out(reading=reading, now=at(45.2))
    assert reading.outcome == Outcome.TIMED_OUT
    assert reading.elapsed_ms == 45200
    assert not reading.is_late
    nxt = reading_serve_next(participant=participant, phase=phase, now=at(45.3))
    assert nxt.pk != reading.pk
    assert nxt.position == 1
    # A second timeout post (another tab) is harmless.
    assert reading_time_out(reading=reading, now=at(46)).outcome == Outcome.TIMED_OUT


def test_a_timeout_before_the_servers_clock_says_so_is_refused(timed) -> None:
    phase, participant = timed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    with pytest.raises(NotYetDue):
        reading_time_out(reading=reading, now=at(30))
    reading.refresh_from_db()
    assert reading.outcome == Outcome.PENDING


def test_an_untimed_case_cannot_time_out(untimed) -> None:
    phase, participant = untimed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    with pytest.raises(ContestError):
        reading_time_out(reading=reading, now=at(10_000))


def test_a_timed_phase_resumed_later_times_out_the_expired_case_and_moves_on(timed) -> None:
    phase, participant = timed
    first = reading_serve_next(participant=participant, phase=phase, now=at(0))
    reading_submit(reading=first, diagnosis="nv", now=at(5))
    left = reading_serve_next(participant=participant, phase=phase, now=at(6))
    # The reader closes the page and comes back an hour later.
    back = reading_serve_next(participant=participant, phase=phase, now=at(3600))
    left.refresh_from_db()
    assert left.outcome == Outcome.TIMED_OUT
    assert left.elapsed_ms == 47000
    assert back.pk not in (first.pk, left.pk)
    assert back.position == 2
    assert back.served_at == at(3600)
    assert Event.objects.filter(participant=participant, kind=EventKind.RESUMED).exists()


def test_an_untimed_phase_resumes_at_the_same_case(untimed) -> None:
    phase, participant = untimed
    first = reading_serve_next(participant=participant, phase=phase, now=at(0))
    reading_submit(reading=first, diagnosis="nv", now=at(5))
    left = reading_serve_next(participant=participant, phase=phase, now=at(6))
    back = reading_serve_next(participant=participant, phase=phase, now=at(86_400))
    assert back.pk == left.pk
    assert back.outcome == Outcome.PENDING
    assert back.served_at == at(6)


def test_a_phase_is_done_when_every_case_is_closed(untimed) -> None:
    phase, participant = untimed
    for i in range(4):
        reading = reading_serve_next(participant=participant, phase=phase, now=at(i))
        reading_submit(reading=reading, diagnosis="nv", now=at(i + 0.5))
    assert reading_serve_next(participant=participant, phase=phase, now=at(10)) is None
    assert phase_is_done(participant=participant, phase=phase, now=at(10))
    assert sorted(
        Reading.objects.filter(participant=participant).values_list("position", flat=True)
    ) == [0, 1, 2, 3]


def test_a_gated_phase_opens_only_when_the_previous_one_is_done() -> None:
    study = StudyFactory()
    first = PhaseFactory(study=study, order=1, time_limit_seconds=10)
    second = PhaseFactory(study=study, order=2, gated=True)
    add_cases(first, 2)
    add_cases(second, 2)
    participant, _ = make_participant(study, now=T0)
    with pytest.raises(PhaseLocked):
        reading_serve_next(participant=participant, phase=second, now=at(0))
    reading = reading_serve_next(participant=participant, phase=first, now=at(0))
    reading_submit(reading=reading, diagnosis="nv", now=at(1))
    reading_serve_next(participant=participant, phase=first, now=at(2))
    with pytest.raises(PhaseLocked):
        reading_serve_next(participant=participant, phase=second, now=at(3))
    # The last case of the first phase runs out: the gate opens without another visit there.
    assert reading_serve_next(participant=participant, phase=second, now=at(20)) is not None
    assert phase_is_done(participant=participant, phase=first, now=at(20))


def test_an_ungated_phase_can_be_taken_in_any_order() -> None:
    study = StudyFactory()
    PhaseFactory(study=study, order=1)
    second = PhaseFactory(study=study, order=2, gated=False)
    add_cases(second, 1)
    add_cases(study.phases.get(order=1), 1)
    participant, _ = make_participant(study, now=T0)
    assert reading_serve_next(participant=participant, phase=second, now=at(0)) is not None


def test_a_closed_study_serves_no_new_case(timed) -> None:
    phase, participant = timed
    phase.study.status = "closed"
    phase.study.save()
    with pytest.raises(PhaseLocked):
        reading_serve_next(participant=participant, phase=phase, now=at(0))


@pytest.fixture
def hinted():
    study = StudyFactory()
    run = TrainingRunFactory(name="efficientnet_b5-low")
    phase = PhaseFactory(
        study=study, order=1, time_limit_seconds=45, hint_style=HintStyle.ALL, hint_run=run
    )
    cases = add_cases(phase, 3)
    participant, _ = make_participant(study, now=T0)
    return phase, participant, run, cases


def test_a_hint_phase_cannot_open_until_every_image_has_a_prediction(hinted) -> None:
    phase, participant, run, cases = hinted
    predict(run, [c.image for c in cases[:2]])
    with pytest.raises(PhaseLocked, match="prepared"):
        reading_serve_next(participant=participant, phase=phase, now=at(0))
    predict(run, [cases[2].image])
    assert reading_serve_next(participant=participant, phase=phase, now=at(0)) is not None


def test_the_hint_as_shown_is_stored_with_the_reading(hinted) -> None:
    phase, participant, run, cases = hinted
    predict(run, [c.image for c in cases], top="bkl", p=0.64)
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    assert reading.hint["model"] == "efficientnet_b5-low"
    assert reading.hint["run"] == run.pk
    assert reading.hint["style"] == "all"
    assert reading.hint["top"] == "bkl"
    assert reading.hint["top_probability"] == pytest.approx(0.64)
    assert list(reading.hint["probabilities"]) == [
        "akiec",
        "bcc",
        "bkl",
        "df",
        "mel",
        "nv",
        "vasc",
    ]
    assert sum(reading.hint["probabilities"].values()) == pytest.approx(1.0)
    # Later changes to the predictions do not change what the reader was shown.
    run.predictions.update(probabilities={"nv": 1.0}, predicted="nv")
    reading.refresh_from_db()
    assert reading.hint["top"] == "bkl"
    assert Event.objects.filter(reading=reading, kind=EventKind.HINT_SHOWN).count() == 1


def test_a_top_class_phase_stores_its_style(hinted) -> None:
    phase, participant, run, cases = hinted
    phase.hint_style = HintStyle.TOP
    phase.save()
    predict(run, [c.image for c in cases], top="mel", p=0.81)
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    assert reading.hint["style"] == "top"
    assert reading.hint["top"] == "mel"


def test_a_phase_without_hints_stores_none(timed) -> None:
    phase, participant = timed
    assert reading_serve_next(participant=participant, phase=phase, now=at(0)).hint is None


def test_the_event_log_records_each_moment_and_refuses_changes(timed) -> None:
    phase, participant = timed
    reading = reading_serve_next(participant=participant, phase=phase, now=at(0))
    reading_submit(reading=reading, diagnosis="df", now=at(3))
    timed_out = reading_serve_next(participant=participant, phase=phase, now=at(4))
    reading_time_out(reading=timed_out, now=at(50))
    kinds = list(Event.objects.filter(participant=participant).values_list("kind", flat=True))
    assert kinds == ["served", "answered", "served", "timed_out"]
    event = Event.objects.first()
    event.data = {"edited": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.update(kind="answered")


def test_the_case_order_is_computed_once_from_the_seed_and_kept(untimed) -> None:
    phase, participant = untimed
    reading_serve_next(participant=participant, phase=phase, now=at(0))
    stored = Participant.objects.get(pk=participant.pk).case_orders[str(phase.pk)]
    assert stored == participant_case_order(participant=participant, phase=phase)
    assert participant.case_orders[str(phase.pk)] == stored
    # Served in that order, one case after the other.
    served = [reading_serve_next(participant=participant, phase=phase, now=at(0)).case_id]
    for i in range(3):
        current = Reading.objects.get(participant=participant, case_id=served[-1])
        reading_submit(reading=current, diagnosis="nv", now=at(i + 1))
        served.append(
            reading_serve_next(participant=participant, phase=phase, now=at(i + 2)).case_id
        )
    assert served == stored


def test_an_answer_and_the_next_case_are_one_service_call(untimed) -> None:
    phase, participant = untimed
    first = reading_serve_next(participant=participant, phase=phase, now=at(0))
    result = reading_submit_and_serve_next(
        participant=participant, phase_order=1, case_key=first.case.key, diagnosis="mel", now=at(3)
    )
    first.refresh_from_db()
    assert first.outcome == Outcome.ANSWERED
    assert first.diagnosis == "mel"
    assert first.elapsed_ms == 3000
    assert result.phase == phase
    assert result.reading is not None
    assert result.reading.position == 1
    assert result.locked is None
    kinds = list(Event.objects.filter(participant=participant).values_list("kind", flat=True))
    assert kinds == [EventKind.SERVED, EventKind.ANSWERED, EventKind.SERVED]
    # A different answer to the closed case is ignored; the reader goes on with the open one.
    again = reading_submit_and_serve_next(
        participant=participant, phase_order=1, case_key=first.case.key, diagnosis="nv", now=at(4)
    )
    first.refresh_from_db()
    assert first.diagnosis == "mel"
    assert again.reading == result.reading


def test_an_answer_is_kept_when_the_phase_locks_before_the_next_case(untimed) -> None:
    phase, participant = untimed
    first = reading_serve_next(participant=participant, phase=phase, now=at(0))
    phase.closes_at = at(2)
    phase.save()
    result = reading_submit_and_serve_next(
        participant=participant, phase_order=1, case_key=first.case.key, diagnosis="bcc", now=at(3)
    )
    assert result.reading is None
    assert result.locked == "This part is closed."
    first.refresh_from_db()
    assert first.outcome == Outcome.ANSWERED


def test_an_answer_to_a_case_never_served_to_the_reader_is_not_found(untimed) -> None:
    phase, participant = untimed
    other, _ = make_participant(phase.study, now=T0)
    theirs = reading_serve_next(participant=other, phase=phase, now=at(0))
    with pytest.raises(Reading.DoesNotExist):
        reading_submit_and_serve_next(
            participant=participant,
            phase_order=1,
            case_key=theirs.case.key,
            diagnosis="nv",
            now=at(1),
        )
    theirs.refresh_from_db()
    assert theirs.outcome == Outcome.PENDING
