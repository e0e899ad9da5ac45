"""The contests API: studies, phases and readers' progress, for researchers only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from contests.models import Study, StudyStatus
from contests.services.builder import phase_cases_draw, phase_create, study_create
from contests.services.readings import reading_serve_next, reading_submit
from tests.contests.factories import make_participant
from tests.contests.researcher_catalogue import held_out_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def study() -> Study:
    dataset = held_out_catalogue(per_class=2)
    study = study_create(title="API study", consent_text="ok", dataset=dataset)
    for title, limit in (("Untimed", None), ("Timed", 45)):
        phase = phase_create(study=study, title=title, time_limit_seconds=limit)
        phase_cases_draw(phase=phase, dataset=dataset, n=7)
    study.status = StudyStatus.OPEN
    study.save()
    return study


def test_the_api_refuses_anybody_but_researchers(
    client: Client, django_user_model, study: Study
) -> None:
    # Anonymous: 401 with the token scheme to use; a logged-in non-researcher: 403.
    anonymous = client.get("/api/contests/studies/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    client.force_login(django_user_model.objects.create_user("gp", password="x-long-pass-1"))
    assert client.get("/api/contests/studies/").status_code == 403
    assert client.get(f"/api/contests/studies/{study.pk}/progress/").status_code == 403


def test_studies_come_with_their_phases_and_case_counts(
    researcher_client: Client, study: Study
) -> None:
    body = researcher_client.get("/api/contests/studies/").json()
    [item] = body["results"]
    assert item["title"] == "API study"
    assert item["status"] == "open"
    assert item["dataset"] == study.dataset.name
    assert [(p["title"], p["case_count"], p["time_limit_seconds"]) for p in item["phases"]] == [
        ("Untimed", 7, None),
        ("Timed", 7, 45),
    ]
    phases = researcher_client.get(f"/api/contests/phases/?study={study.pk}").json()["results"]
    assert [p["order"] for p in phases] == [1, 2]


def test_progress_lists_each_reader_per_phase_and_simulated_ones_only_on_request(
    researcher_client: Client, study: Study
) -> None:
    untimed = study.phases.get(order=1)
    now = timezone.now()
    reader, _ = make_participant(study, now=now)
    reading = reading_serve_next(participant=reader, phase=untimed, now=now)
    reading_submit(reading=reading, diagnosis="mel", now=now + timezone.timedelta(seconds=12))
    make_participant(study, is_simulated=True, pseudonym="S001")
    url = f"/api/contests/studies/{study.pk}/progress/"
    [row] = researcher_client.get(url).json()
    assert row["pseudonym"] == reader.pseudonym
    assert row["is_simulated"] is False
    assert row["phases"][0] == {
        "phase": untimed.pk,
        "total": 7,
        "done": 1,
        "answered": 1,
        "timed_out": 0,
        "mean_seconds": 12.0,
    }
    assert row["phases"][1]["done"] == 0
    everyone = researcher_client.get(url + "?simulated=true").json()
    assert [r["pseudonym"] for r in everyone] == [reader.pseudonym, "S001"]


def test_the_api_never_shows_a_case_s_diagnosis_or_an_invitation_token(
    researcher_client: Client, study: Study
) -> None:
    text = researcher_client.get(f"/api/contests/studies/{study.pk}/").content.decode()
    assert "token" not in text
    assert "diagnosis" not in text
