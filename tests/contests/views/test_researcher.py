"""The researcher's study pages: build a study, hand out links, open it, watch progress."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contests.models import Case, Invitation, Phase, Study, StudyStatus
from contests.services.builder import phase_cases_draw, phase_create, study_create
from contests.services.invitations import token_hash
from contests.services.readings import reading_serve_next, reading_submit
from tests.contests.factories import make_participant
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def study() -> Study:
    dataset = held_out_catalogue(per_class=6)
    return study_create(title="Pilot", consent_text="I agree.", dataset=dataset)


def _phase_form(**overrides: object) -> dict[str, object]:
    form = {
        "title": "Untimed",
        "cases": 14,
        "seed": 0,
        "hint_style": "none",
        "case_order": "shuffled",
        "proportions": "",
    }
    form.update(overrides)
    return form


def test_anonymous_visitors_are_sent_to_the_login_and_non_researchers_refused(
    client: Client, django_user_model, study: Study
) -> None:
    url = reverse("contests:study", args=[study.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(django_user_model.objects.create_user("gp", password="x-long-pass-1"))
    assert client.get(url).status_code == 403
    assert client.post(reverse("contests:study_open", args=[study.pk])).status_code == 403


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("index", "get"),
        ("study_new", "get"),
        ("study", "get"),
        ("phase_add", "post"),
        ("study_open", "post"),
        ("study_close", "post"),
        ("invitations_create", "post"),
        ("progress", "get"),
        ("participant", "get"),
    ],
)
def test_every_study_page_is_for_researchers_only(
    client: Client, django_user_model, study: Study, name: str, method: str
) -> None:
    reader, _ = make_participant(study)
    args = {
        "index": [],
        "study_new": [],
        "participant": [study.pk, reader.pk],
    }.get(name, [study.pk])
    url = reverse(f"contests:{name}", args=args)
    response = getattr(client, method)(url, {"n": 5, "title": "x", "cases": 1})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(django_user_model.objects.create_user("gp2", password="x-long-pass-2"))
    assert getattr(client, method)(url, {"n": 5, "title": "x", "cases": 1}).status_code == 403
    assert not Invitation.objects.exclude(participant=reader).exists()
    assert not Phase.objects.exists()


def test_a_researcher_creates_a_study_from_the_form(researcher_client: Client) -> None:
    dataset = held_out_catalogue(per_class=1)
    response = researcher_client.post(
        reverse("contests:study_new"),
        {
            "title": "Buenos Aires 2020",
            "dataset": dataset.pk,
            "consent_text": "I agree to take part.",
            "consent_version": "2",
            "languages": ["en", "es"],
            "grace_seconds": "2",
        },
    )
    study = Study.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contests:study", args=[study.pk])
    assert study.title == "Buenos Aires 2020"
    assert (study.dataset, study.consent_version) == (dataset, "2")
    assert study.status == StudyStatus.DRAFT


def test_adding_a_phase_draws_its_cases_stratified_from_the_held_out_split(
    researcher_client: Client, study: Study
) -> None:
    response = researcher_client.post(
        reverse("contests:phase_add", args=[study.pk]), _phase_form(cases=14)
    )
    assert response.status_code == 302
    phase = study.phases.get()
    counts = Counter(case.image.lesion.diagnosis for case in phase.cases.all())
    assert counts == {code: 2 for code in ("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc")}
    page = researcher_client.get(reverse("contests:study", args=[study.pk])).content.decode()
    assert "Untimed" in page
    assert ">14<" in page


def test_a_phase_can_be_drawn_in_given_proportions(researcher_client: Client, study: Study) -> None:
    researcher_client.post(
        reverse("contests:phase_add", args=[study.pk]),
        _phase_form(cases=9, proportions="mel=0.6, nv=0.3", time_limit_seconds=45),
    )
    phase = study.phases.get()
    assert phase.time_limit_seconds == 45
    counts = Counter(case.image.lesion.diagnosis for case in phase.cases.all())
    assert counts == {"mel": 6, "nv": 3}


def test_a_phase_that_cannot_be_drawn_is_not_stored_and_the_page_says_why(
    researcher_client: Client, study: Study
) -> None:
    response = researcher_client.post(
        reverse("contests:phase_add", args=[study.pk]), _phase_form(cases=500)
    )
    assert response.status_code == 400
    assert "cannot draw 500" in response.content.decode()
    assert not Phase.objects.exists()
    bad = researcher_client.post(
        reverse("contests:phase_add", args=[study.pk]), _phase_form(proportions="melanoma=1")
    )
    assert bad.status_code == 400
    assert "codes among akiec" in bad.content.decode()
    hint = researcher_client.post(
        reverse("contests:phase_add", args=[study.pk]), _phase_form(hint_style="all")
    )
    assert "A hint phase needs a model." in hint.content.decode()
    assert not Phase.objects.exists()


def test_a_second_phase_never_reuses_a_lesion_of_the_first(
    researcher_client: Client, study: Study
) -> None:
    url = reverse("contests:phase_add", args=[study.pk])
    researcher_client.post(url, _phase_form(cases=21, seed=1))
    researcher_client.post(url, _phase_form(title="Timed", cases=21, seed=1))
    lesions = Counter(Case.objects.values_list("image__lesion_id", flat=True))
    assert len(lesions) == 42
    assert max(lesions.values()) == 1


def test_a_hint_phase_without_predictions_shows_as_locked_and_keeps_the_study_closed(
    researcher_client: Client, study: Study
) -> None:
    from tests.contests.factories import TrainingRunFactory

    run = TrainingRunFactory(name="waiting-model")
    researcher_client.post(
        reverse("contests:phase_add", args=[study.pk]),
        _phase_form(hint_style="top", hint_run=run.pk),
    )
    page = researcher_client.get(reverse("contests:study", args=[study.pk])).content.decode()
    assert "no prediction for 14 images" in page
    response = researcher_client.post(reverse("contests:study_open", args=[study.pk]), follow=True)
    assert "the hint model has no prediction for 14" in response.content.decode()
    study.refresh_from_db()
    assert study.status == StudyStatus.DRAFT
    # Or open now, the AI phase locked for readers until its model has predicted its images.
    assert 'name="hints" value="wait"' in page
    response = researcher_client.post(
        reverse("contests:study_open", args=[study.pk]), {"hints": "wait"}, follow=True
    )
    assert "Locked until its model has predicted: Untimed." in response.content.decode()
    study.refresh_from_db()
    assert study.status == StudyStatus.OPEN


def test_opening_and_closing_a_study(researcher_client: Client, study: Study) -> None:
    response = researcher_client.post(reverse("contests:study_open", args=[study.pk]), follow=True)
    assert "The study has no phases." in response.content.decode()
    researcher_client.post(reverse("contests:phase_add", args=[study.pk]), _phase_form())
    researcher_client.post(reverse("contests:study_open", args=[study.pk]))
    study.refresh_from_db()
    assert study.status == StudyStatus.OPEN
    researcher_client.post(reverse("contests:study_close", args=[study.pk]))
    study.refresh_from_db()
    assert study.status == StudyStatus.CLOSED
    assert researcher_client.get(reverse("contests:study_open", args=[study.pk])).status_code == 405


def test_invitation_links_are_shown_once_and_stored_only_as_hashes(
    researcher_client: Client, study: Study
) -> None:
    response = researcher_client.post(
        reverse("contests:invitations_create", args=[study.pk]),
        {"n": 3, "label": "Hospital A", "format": "page"},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    hashes = set(Invitation.objects.values_list("token_hash", flat=True))
    assert len(hashes) == 3
    shown = [
        token
        for token in page.replace("<", " ").replace('"', " ").split()
        if token_hash(token.rstrip("/").rsplit("/", 1)[-1]) in hashes
    ]
    assert len(shown) >= 3
    assert not any(h in page for h in hashes)
    # The study page only counts them from now on.
    detail = researcher_client.get(reverse("contests:study", args=[study.pk])).content.decode()
    assert "3 links made, 0 used" in detail


def test_invitation_links_download_as_csv(researcher_client: Client, study: Study) -> None:
    response = researcher_client.post(
        reverse("contests:invitations_create", args=[study.pk]),
        {"n": 2, "expires_in_days": 7, "format": "csv"},
    )
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    assert all(row["link"].startswith("http://testserver/") for row in rows)
    tokens = {row["link"].rstrip("/").rsplit("/", 1)[-1] for row in rows}
    stored = set(Invitation.objects.values_list("token_hash", flat=True))
    assert {token_hash(t) for t in tokens} == stored
    assert all(row["expires_at"] for row in rows)


def test_the_progress_page_shows_cases_done_per_phase_and_hides_simulated_readers(
    researcher_client: Client, study: Study
) -> None:
    phase = phase_create(study=study, title="Untimed")
    phase_cases_draw(phase=phase, dataset=study.dataset, n=5)
    study.status = StudyStatus.OPEN
    study.save()
    now = timezone.now()
    reader, _ = make_participant(study, now=now)
    for second in (4, 10):
        reading = reading_serve_next(participant=reader, phase=phase, now=now)
        now += timezone.timedelta(seconds=second)
        reading_submit(reading=reading, diagnosis="nv", now=now)
    make_participant(study, now=now, is_simulated=True, pseudonym="S001")
    url = reverse("contests:progress", args=[study.pk])
    page = researcher_client.get(url).content.decode()
    assert reader.pseudonym in page
    assert "2/5" in page
    assert "7.0" in page  # mean seconds per answered case
    assert "S001" not in page
    assert "S001" in researcher_client.get(url + "?simulated=1").content.decode()


def test_the_study_list_counts_real_and_simulated_readers(
    researcher_client: Client, study: Study
) -> None:
    study.status = StudyStatus.OPEN
    study.save()
    make_participant(study)
    make_participant(study, is_simulated=True, pseudonym="S001")
    page = researcher_client.get(reverse("contests:index")).content.decode()
    assert "Pilot" in page
    assert "<td>1</td>\n      <td>1</td>" in page


def test_a_reader_s_page_lists_each_case_with_its_time_answer_and_truth(
    researcher_client: Client, study: Study
) -> None:
    phase = phase_create(study=study, title="Untimed")
    phase_cases_draw(phase=phase, dataset=study.dataset, n=3)
    study.status = StudyStatus.OPEN
    study.save()
    now = timezone.now()
    reader, _ = make_participant(study, now=now)
    reading = reading_serve_next(participant=reader, phase=phase, now=now)
    reading_submit(reading=reading, diagnosis="df", now=now + timezone.timedelta(seconds=8.5))
    pending = reading_serve_next(participant=reader, phase=phase, now=now)
    url = reverse("contests:participant", args=[study.pk, reader.pk])
    page = researcher_client.get(url).content.decode()
    assert reading.case.image.image_id in page
    assert pending.case.image.image_id in page
    assert "<td>8.5</td>" in page
    assert "<td>df</td>" in page
    assert f"<td>{reading.case.image.lesion.diagnosis}</td>" in page
    other = study_create(title="Other", consent_text="ok")
    assert (
        researcher_client.get(
            reverse("contests:participant", args=[other.pk, reader.pk])
        ).status_code
        == 404
    )


def test_a_crossover_is_built_from_the_preset_page_with_its_options(
    researcher_client: Client,
) -> None:
    dataset = held_out_catalogue(name="preset-set", per_class=12)
    predicting_run(dataset)
    form = {
        "preset": "crossover",
        "dataset": dataset.pk,
        "hint_style": "all",
        "title": "",
        "scale": "0.1",
        "seed": "0",
        "washout_days": "14",
        "block_size": "6",
        "asks_confidence": "on",
    }
    response = researcher_client.post(reverse("contests:study_new_preset"), form)
    study = Study.objects.get()
    assert response["Location"] == reverse("contests:study", args=[study.pk])
    assert (study.design, study.washout_days, study.block_size) == ("crossover", 14, 6)
    assert study.asks_confidence
    page = researcher_client.get(reverse("contests:study", args=[study.pk])).content.decode()
    assert "washout 14 days" in page
    assert "readers per arm: 0 / 0 (blocks of 6)" in page
    assert "phase 1, by design" in page
    odd = researcher_client.post(
        reverse("contests:study_new_preset"),
        {**form, "preset": "paper-counterbalanced", "block_size": "5"},
    )
    assert odd.status_code == 200
    assert "even number" in odd.content.decode()
    assert Study.objects.count() == 1


def test_a_draft_s_phases_are_edited_redrawn_and_moved_from_the_pages(
    researcher_client: Client, study: Study
) -> None:
    for title in ("First", "Second"):
        researcher_client.post(
            reverse("contests:phase_add", args=[study.pk]), _phase_form(title=title, cases=7)
        )
    first, second = study.phases.order_by("order")
    edit = reverse("contests:phase_edit", args=[study.pk, first.pk])
    assert researcher_client.get(edit).status_code == 200
    changed = researcher_client.post(
        edit, {"title": "First, timed", "time_limit_seconds": 30, "hint_style": "none",
               "case_order": "fixed"},
    )  # fmt: skip
    assert changed.status_code == 302
    first.refresh_from_db()
    assert (first.title, first.time_limit_seconds, first.case_order) == (
        "First, timed",
        30,
        "fixed",
    )
    redraw = reverse("contests:phase_draw", args=[study.pk, first.pk])
    assert (
        researcher_client.post(redraw, {"cases": 3, "seed": 5, "proportions": ""}).status_code
        == 302
    )
    assert first.cases.count() == 3
    researcher_client.post(reverse("contests:phase_up", args=[study.pk, second.pk]))
    assert list(study.phases.order_by("order").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    study.status = StudyStatus.OPEN
    study.save()
    refused = researcher_client.post(edit, {"title": "Late", "hint_style": "none",
                                            "case_order": "fixed"})  # fmt: skip
    assert refused.status_code == 200
    assert "can change only before it opens" in refused.content.decode()
    first.refresh_from_db()
    assert first.title == "First, timed"
