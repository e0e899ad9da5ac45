"""The GP pages of the study designs and options: a crossover's next session and its reminder,
"How sure are you?" after each answer, and a counterbalanced reader's own image set."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contests.models import Event, EventKind, Participant, Phase, Reading, Study
from contests.services.builder import study_open
from contests.services.presets import study_create_crossover, study_create_paper
from contests.services.readings import reading_serve_next, reading_submit
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run
from tests.contests.views.test_gp import HTMX, _join

pytestmark = pytest.mark.django_db


def _crossover(**options: Any) -> Study:
    dataset = held_out_catalogue(per_class=12)
    study = study_create_crossover(
        dataset=dataset, hint_run=predicting_run(dataset), scale=0.05, **options
    )
    return study_open(study=study)


def _join_arm(client: Client, study: Study, arm: int) -> Participant:
    while True:
        client.cookies.clear()
        reader = _join(client, study)
        if reader.arm == arm:
            return reader


def _finish(reader: Participant, phase: Phase, days_ago: float) -> None:
    """The reader's whole session, read ``days_ago`` days back (the clock moved, not waited)."""
    clock = timezone.now() - timedelta(days=days_ago)
    while (reading := reading_serve_next(participant=reader, phase=phase, now=clock)) is not None:
        clock += timedelta(seconds=10)
        reading_submit(reading=reading, diagnosis="nv", now=clock)


def test_the_home_page_says_when_the_next_session_opens_and_offers_a_reminder(
    client: Client,
) -> None:
    study = _crossover()
    without, with_ai = study.phases.order_by("order")
    reader = _join_arm(client, study, arm=0)
    _finish(reader, without, days_ago=1)
    done = client.get(reverse("take:phase", args=[without.order])).content.decode()
    assert 'id="next-session-opens"' in done
    home = client.get(reverse("take:home")).content.decode()
    assert 'id="next-session"' in home
    assert "Your next session opens on" in home
    assert "28 days apart" in home
    assert 'id="start-2"' not in home
    assert 'id="reminder-form"' in home
    # The second session's page refuses and sends the reader home with the reason.
    response = client.get(reverse("take:phase", args=[with_ai.order]), follow=True)
    assert "Your second session opens on" in response.content.decode()
    response = client.post(reverse("take:reminder"), {"email": "gp@example.org"}, follow=True)
    assert 'id="reminder-set"' in response.content.decode()
    reader.refresh_from_db()
    assert reader.reminder_email == "gp@example.org"


def test_after_the_washout_the_second_session_starts_from_the_home_page(client: Client) -> None:
    study = _crossover()
    without, with_ai = study.phases.order_by("order")
    reader = _join_arm(client, study, arm=1)
    # Arm 1 starts with the AI: its session without the AI comes second.
    home = client.get(reverse("take:home")).content.decode()
    assert home.index(f'id="phase-{with_ai.order}"') < home.index(f'id="phase-{without.order}"')
    _finish(reader, with_ai, days_ago=29)
    home = client.get(reverse("take:home")).content.decode()
    assert 'id="next-session"' not in home
    assert f'id="start-{without.order}"' in home
    page = client.get(reverse("take:phase", args=[without.order])).content.decode()
    assert 'id="answer-form"' in page
    assert 'id="hint"' not in page


def _key(html: str) -> str:
    return re.search(r'name="case" value="([^"]+)"', html).group(1)


def test_how_sure_is_asked_after_each_answer_and_stored_with_the_reading(client: Client) -> None:
    study = _crossover(asks_confidence=True)
    without, _ = study.phases.order_by("order")
    reader = _join_arm(client, study, arm=0)
    url = reverse("take:phase", args=[without.order])
    page = client.get(url).content.decode()
    key = _key(page)
    asked = client.post(
        reverse("take:answer", args=[without.order]), {"case": key, "diagnosis": "5"}, **HTMX
    ).content.decode()
    assert 'id="confidence-form"' in asked
    assert 'id="answer-form"' not in asked
    # A reload asks again: no case is served before the confidence is given.
    assert 'id="confidence-form"' in client.get(url).content.decode()
    following = client.post(
        reverse("take:confidence", args=[without.order]), {"case": key, "confidence": "4"}, **HTMX
    ).content.decode()
    assert 'id="answer-form"' in following
    reading = Reading.objects.get(participant=reader, case__key=key)
    assert (reading.diagnosis, reading.confidence) == ("mel", 4)  # answer 5 is the fifth class
    assert Event.objects.filter(reading=reading, kind=EventKind.CONFIDENCE).exists()
    # A repeat of the same confidence is harmless; a confidence out of range is refused.
    again = client.post(
        reverse("take:confidence", args=[without.order]), {"case": key, "confidence": "4"}
    )
    assert again.status_code == 302
    bad = client.post(
        reverse("take:confidence", args=[without.order]), {"case": key, "confidence": "9"}
    )
    assert bad.status_code == 400


def test_a_study_that_does_not_ask_serves_the_next_case_at_once(client: Client) -> None:
    study = _crossover()
    without, _ = study.phases.order_by("order")
    _join_arm(client, study, arm=0)
    key = _key(client.get(reverse("take:phase", args=[without.order])).content.decode())
    following = client.post(
        reverse("take:answer", args=[without.order]), {"case": key, "diagnosis": "5"}, **HTMX
    ).content.decode()
    assert 'id="answer-form"' in following
    assert 'id="confidence-form"' not in following


def test_a_counterbalanced_reader_reads_only_their_own_image_set(client: Client) -> None:
    dataset = held_out_catalogue(per_class=12)
    study = study_create_paper(
        dataset=dataset, hint_run=predicting_run(dataset), scale=0.1, counterbalanced=True
    )
    study_open(study=study)
    _, timed, _ = study.phases.order_by("order")
    reader = _join(client, study)
    home = client.get(reverse("take:home")).content.decode()
    assert "0 of 4 images" in home  # of the phase's 8 cases, the reader's set of 4
    page = client.get(reverse("take:phase", args=[timed.order])).content.decode()
    assert "image 1 of 4" in page
    served = Reading.objects.get(participant=reader, case__phase=timed)
    assert served.case.image_set == ("A" if reader.arm == 0 else "B")
