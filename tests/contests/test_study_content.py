"""A study's content in each of its languages, and a changed consent text asked for again.

Through the services, the GP pages, the researcher's texts page, the admin and the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from contests.models import (
    ConsentRefusal,
    ConsentText,
    Event,
    EventKind,
    Outcome,
    Participant,
    Phase,
    Reading,
    Study,
    StudyStatus,
)
from contests.services.builder import phase_create, study_create
from contests.services.content import (
    consent_version_next,
    phase_texts_update,
    study_texts_update,
)
from contests.services.errors import BuilderError
from contests.services.invitations import invitation_create_batch
from contests.services.presets import study_create_crossover, study_create_paper
from lesions.codes import DIAGNOSES
from tests.contests.factories import add_cases
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PROFILE = {
    "years_in_practice": "8",
    "specialty": "general_practice",
    "dermoscopy_training": "none",
    "country": "Chile",
}
# The answer buttons are numbered in the order of lesions.codes.DIAGNOSES.
MEL, NV = str(DIAGNOSES.index("mel") + 1), str(DIAGNOSES.index("nv") + 1)
SPANISH = {
    "title": "Lesiones pigmentadas",
    "description": "Dos concursos.",
    "consent_text": "Puede abandonar cuando quiera.",
}


def _open_study(**texts: Any) -> Study:
    study = study_create(
        title="Pigmented lesions",
        description="Two contests.",
        consent_text="You may stop at any time.",
        texts={"es": SPANISH},
        **texts,
    )
    phase = phase_create(
        study=study,
        title="Untimed",
        instructions="Take your time.",
        texts={"es": {"title": "Sin límite", "instructions": "Tómese su tiempo."}},
    )
    add_cases(phase, 3)
    study.status = StudyStatus.OPEN
    study.save(update_fields=["status"])
    return study


def _join(client: Client, study: Study, language: str) -> tuple[Participant, str]:
    [(_, token)] = invitation_create_batch(study=study, n=1, now=timezone.now())
    client.get(reverse("take:invitation", kwargs={"token": token}))
    client.post(reverse("take:language"), {"language": language})
    consent = client.post(
        reverse("take:consent"), {"version": study.consent_version, "decision": "accept"}
    )
    assert consent["Location"] == reverse("take:profile")
    client.post(reverse("take:profile"), PROFILE)
    return Participant.objects.latest("id"), token


def _case_key(html: str) -> str:
    found = re.search(r'name="case" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


# ------------------------------------------------------------------------------- the services


def test_each_language_reads_its_own_text_and_a_missing_one_falls_back_to_the_first() -> None:
    study = _open_study()
    phase = study.phases.get()
    with translation.override("es"):
        assert (study.title, study.consent_text) == (SPANISH["title"], SPANISH["consent_text"])
        assert (phase.title, phase.instructions) == ("Sin límite", "Tómese su tiempo.")
    with translation.override("en"):
        assert (study.title, phase.title) == ("Pigmented lesions", "Untimed")
    # A study whose own language is Spanish, with no English text: English readers see Spanish.
    spanish_only = study_create(
        title="Estudio en español", consent_text="Acepto.", languages=["es", "en"]
    )
    with translation.override("en"):
        assert Study.objects.get(pk=spanish_only.pk).title == "Estudio en español"
        assert Study.objects.get(pk=spanish_only.pk).consent_text == "Acepto."


def test_texts_are_refused_outside_the_studys_languages_fields_or_first_title() -> None:
    study = study_create(title="English only", languages=["en"])
    with pytest.raises(BuilderError, match="takes no text in 'es'"):
        study_texts_update(study=study, texts={"es": {"title": "Solo inglés"}})
    with pytest.raises(BuilderError, match="'status' is not a text"):
        study_texts_update(study=study, texts={"en": {"status": "open"}})
    with pytest.raises(BuilderError, match="first language"):
        study_texts_update(study=study, texts={"en": {"title": "  "}})
    phase = phase_create(study=study, title="One")
    with pytest.raises(BuilderError, match="first language"):
        phase_texts_update(phase=phase, texts={"en": {"title": ""}})
    study.refresh_from_db()
    phase.refresh_from_db()
    assert (study.title_en, phase.title_en) == ("English only", "One")


@pytest.mark.parametrize(
    ("version", "following"),
    [("1", "2"), ("9", "10"), ("2026-03", "2026-03.2"), ("2026-03.2", "2026-03.3")],
)
def test_the_next_consent_version(version: str, following: str) -> None:
    assert consent_version_next(version) == following


def test_a_drafts_consent_text_changes_in_place_an_open_studys_makes_a_new_version() -> None:
    draft = study_create(title="Draft", consent_text="First text.")
    study_texts_update(study=draft, texts={"en": {"consent_text": "Better text."}})
    assert draft.consent_version == "1"
    assert ConsentText.objects.get(study=draft).texts["en"] == "Better text."

    study = _open_study()
    study_texts_update(study=study, texts={"en": {"title": "Renamed"}})
    assert study.consent_version == "1"  # only the consent text makes a version
    study_texts_update(study=study, texts={"es": {"consent_text": "Nuevo texto."}})
    assert study.consent_version == "2"
    kept = dict(ConsentText.objects.filter(study=study).values_list("version", "texts"))
    assert kept["1"]["es"] == SPANISH["consent_text"]
    assert kept["2"] == {"en": "You may stop at any time.", "es": "Nuevo texto."}
    # The same text again is no change.
    study_texts_update(study=study, texts={"es": {"consent_text": "Nuevo texto."}})
    assert Study.objects.get(pk=study.pk).consent_version == "2"


def test_the_paper_and_crossover_presets_come_in_english_and_spanish() -> None:
    dataset = held_out_catalogue(per_class=14)
    run = predicting_run(dataset)
    paper = study_create_paper(dataset=dataset, hint_run=run, scale=0.05)
    crossover = study_create_crossover(dataset=dataset, hint_run=run, scale=0.05)
    for study in (paper, crossover):
        assert study.title_es
        assert study.description_es
        assert study.consent_text_es
        assert study.consent_text_en != study.consent_text_es
        for phase in study.phases.all():
            assert phase.title_en
            assert phase.title_es
            assert phase.title_en != phase.title_es
            assert phase.instructions_es
    with translation.override("es"):
        titles = [p.title for p in Phase.objects.filter(study=paper).order_by("order")]
    assert titles[0] == "Concurso 1: sin límite de tiempo"
    # A study named by the researcher keeps that name in every language.
    named = study_create_paper(dataset=dataset, hint_run=run, scale=0.05, title="Pilot 2027")
    with translation.override("es"):
        assert Study.objects.get(pk=named.pk).title == "Pilot 2027"


# ---------------------------------------------------------------------------- the GP's pages


def test_a_spanish_reader_sees_the_study_in_spanish_and_an_english_one_in_english(
    client: Client,
) -> None:
    study = _open_study()
    _join(client, study, "es")
    home = client.get(reverse("take:home")).content.decode()
    assert SPANISH["title"] in home
    assert "Sin límite" in home
    assert "Pigmented lesions" not in home

    english = Client()
    _join(english, study, "en")
    home = english.get(reverse("take:home")).content.decode()
    assert "Pigmented lesions" in home
    assert "Untimed" in home


def test_a_new_consent_text_is_asked_for_before_the_next_case_and_keeps_the_readings(
    client: Client,
) -> None:
    study = _open_study()
    participant, _token = _join(client, study, "en")
    page = client.get(reverse("take:phase", args=[1])).content.decode()
    client.post(
        reverse("take:answer", args=[1]), {"case": _case_key(page), "diagnosis": MEL}, **HTMX
    )
    # A second case is on screen when the researcher changes the consent text.
    on_screen = client.get(reverse("take:phase", args=[1])).content.decode()
    study_texts_update(study=study, texts={"en": {"consent_text": "New terms."}})
    before = list(Reading.objects.filter(participant=participant).values().order_by("id"))

    # The case on screen still takes its answer; the next case waits for the new consent.
    answered = client.post(
        reverse("take:answer", args=[1]), {"case": _case_key(on_screen), "diagnosis": NV}, **HTMX
    )
    assert answered["HX-Redirect"] == reverse("take:consent_again")
    assert Reading.objects.filter(participant=participant, outcome=Outcome.ANSWERED).count() == 2
    assert Reading.objects.filter(participant=participant).count() == 2  # none served since
    assert client.get(reverse("take:phase", args=[1]))["Location"] == reverse("take:consent_again")
    assert client.get(reverse("take:home"))["Location"] == reverse("take:consent_again")

    asked = client.get(reverse("take:consent_again")).content.decode()
    assert "New terms." in asked
    assert "version 1" in asked
    assert "version 2" in asked
    # Agreeing to a version that is not the current one changes nothing.
    stale = client.post(reverse("take:consent_again"), {"version": "1", "decision": "accept"})
    assert stale["Location"] == reverse("take:consent_again")
    agreed = client.post(reverse("take:consent_again"), {"version": "2", "decision": "accept"})
    assert agreed["Location"] == reverse("take:home")
    participant.refresh_from_db()
    assert participant.consent_version == "2"
    event = Event.objects.get(participant=participant, kind=EventKind.CONSENTED)
    assert event.data == {"version": "2", "previous": "1"}
    # The earlier readings are exactly as they were; the reader goes on.
    after = list(Reading.objects.filter(participant=participant).values().order_by("id"))
    assert after[0] == before[0]
    assert client.get(reverse("take:phase", args=[1])).status_code == 200


def test_declining_a_new_consent_text_ends_the_readers_study_and_keeps_their_answers(
    client: Client,
) -> None:
    study = _open_study()
    participant, token = _join(client, study, "es")
    page = client.get(reverse("take:phase", args=[1])).content.decode()
    client.post(reverse("take:answer", args=[1]), {"case": _case_key(page), "diagnosis": MEL})
    study_texts_update(study=study, texts={"es": {"consent_text": "Condiciones nuevas."}})

    asked = client.get(reverse("take:consent_again")).content.decode()
    assert "Condiciones nuevas." in asked  # in the reader's language
    # Declining a text other than the one shown now (stale or forged) changes nothing.
    stale = client.post(reverse("take:consent_again"), {"version": "1", "decision": "decline"})
    assert stale["Location"] == reverse("take:consent_again")
    assert not ConsentRefusal.objects.exists()
    ended = client.post(reverse("take:consent_again"), {"version": "2", "decision": "decline"})
    assert 'id="withdrawn"' in ended.content.decode()
    participant.refresh_from_db()
    assert participant.withdrawn_at is not None
    assert ConsentRefusal.objects.filter(study=study, consent_version="2").count() == 1
    answered = Reading.objects.get(participant=participant, outcome=Outcome.ANSWERED)
    assert answered.diagnosis == "mel"
    # Back through the same link: the study is over for this reader.
    again = client.get(reverse("take:invitation", kwargs={"token": token}), follow=True)
    assert again.status_code == 403
    assert 'id="withdrawn"' in again.content.decode()


# ------------------------------------------------------------------- the researcher's pages


def test_the_texts_page_edits_every_language_and_says_when_consent_is_asked_again(
    researcher_client: Client, client: Client
) -> None:
    study = _open_study()
    phase = study.phases.get()
    url = reverse("contests:study_texts", args=[study.pk])
    assert client.get(url).status_code == 302  # researchers only
    page = researcher_client.get(url).content.decode()
    assert SPANISH["consent_text"] in page
    assert "Tómese su tiempo." in page
    form = {
        "study-title-en": "Pigmented lesions",
        "study-title-es": SPANISH["title"],
        "study-description-en": "Two contests.",
        "study-description-es": SPANISH["description"],
        "study-consent_text-en": "You may stop at any time.",
        "study-consent_text-es": "Puede parar cuando quiera.",
        f"phase{phase.pk}-title-en": "Untimed",
        f"phase{phase.pk}-title-es": "Sin reloj",
        f"phase{phase.pk}-instructions-en": "Take your time.",
        f"phase{phase.pk}-instructions-es": "",
    }
    saved = researcher_client.post(url, form, follow=True).content.decode()
    assert "it is now version 2" in saved
    phase.refresh_from_db()
    assert (phase.title_es, phase.instructions_es) == ("Sin reloj", "")
    assert Study.objects.get(pk=study.pk).consent_text_es == "Puede parar cuando quiera."
    # The first language's title cannot go.
    refused = researcher_client.post(url, {**form, "study-title-en": ""})
    assert refused.status_code == 400
    assert Study.objects.get(pk=study.pk).title_en == "Pigmented lesions"


def test_changing_the_consent_text_in_the_admin_makes_a_new_version(admin_client: Client) -> None:
    study = _open_study()
    url = reverse("admin:contests_study_change", args=[study.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "dataset": "",
            "consent_text_en": "Revised terms.",
            "phases-TOTAL_FORMS": 0,
            "phases-INITIAL_FORMS": 0,
            "consent_texts-TOTAL_FORMS": 0,
            "consent_texts-INITIAL_FORMS": 0,
        }
    )
    data["languages"] = '["en", "es"]'
    response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    study.refresh_from_db()
    assert (study.consent_version, study.consent_text_en) == ("2", "Revised terms.")
    assert ConsentText.objects.get(study=study, version="2").texts["en"] == "Revised terms."


# -------------------------------------------------------------------------------------- the API


def test_the_api_creates_reads_and_changes_texts_per_language(token_client: Any) -> None:
    dataset = held_out_catalogue(per_class=2)
    created = token_client.post(
        "/api/contests/studies/",
        {
            "title": "Via API",
            "consent_text": "Agreed.",
            "dataset": dataset.name,
            "texts": {"es": {"title": "Por la API", "consent_text": "De acuerdo."}},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["texts"]["es"] == {
        "title": "Por la API",
        "description": "",
        "consent_text": "De acuerdo.",
    }
    url = f"/api/contests/studies/{body['id']}/"
    assert token_client.get(url, HTTP_ACCEPT_LANGUAGE="es").json()["title"] == "Por la API"
    assert token_client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["title"] == "Via API"

    Study.objects.filter(pk=body["id"]).update(status=StudyStatus.OPEN)
    changed = token_client.patch(
        url + "texts/", {"texts": {"es": {"consent_text": "Otro texto."}}}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["consent_version"] == "2"
    refused = token_client.patch(url + "texts/", {"texts": {"en": {"title": ""}}}, format="json")
    assert refused.status_code == 400
    assert "first language" in refused.content.decode()

    phase = phase_create(study=Study.objects.get(pk=body["id"]), title="One")
    patched = token_client.patch(
        f"/api/contests/phases/{phase.pk}/texts/",
        {"texts": {"es": {"title": "Uno", "instructions": "Sin prisa."}}},
        format="json",
    )
    assert patched.status_code == 200
    assert patched.json()["texts"]["es"] == {"title": "Uno", "instructions": "Sin prisa."}


def test_the_progress_page_shows_who_is_behind_the_consent_version_and_who_withdrew(
    researcher_client: Client,
) -> None:
    study = _open_study()
    behind, withdrawn = Client(), Client()
    _join(behind, study, "en")
    _join(withdrawn, study, "en")
    study_texts_update(study=study, texts={"en": {"consent_text": "New terms."}})
    withdrawn.post(reverse("take:consent_again"), {"version": "2", "decision": "decline"})
    page = researcher_client.get(reverse("contests:progress", args=[study.pk])).content.decode()
    cells = re.findall(r'<td class="consent-cell">(.*?)</td>', page)
    assert cells == ["version 1: asked again", '<span class="badge">withdrew</span>']
