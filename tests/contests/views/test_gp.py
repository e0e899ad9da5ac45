"""The GP pages, driven with Django's test client: link, language, consent, profile, cases."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from contests.models import ConsentRefusal, Event, HintStyle, Outcome, Participant, Reading
from contests.services.invitations import invitation_create_batch, invitation_revoke
from lesions.codes import DIAGNOSES
from tests.contests.factories import (
    PhaseFactory,
    StudyFactory,
    TrainingRunFactory,
    add_cases,
    make_participant,
    predict,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PROFILE = {
    "years_in_practice": "8",
    "specialty": "general_practice",
    "dermoscopy_training": "none",
    "country": "Argentina",
}


@pytest.fixture
def study() -> Any:
    study = StudyFactory(title="Pigmented lesions", consent_text="You may stop at any time.")
    add_cases(PhaseFactory(study=study, order=1, title="Untimed", time_limit_seconds=None), 3)
    add_cases(PhaseFactory(study=study, order=2, title="Timed", time_limit_seconds=45), 2)
    return study


def _token(study: Any) -> str:
    [(_, token)] = invitation_create_batch(study=study, n=1, now=timezone.now())
    return token


def _join(
    client: Client, study: Any, language: str = "en", token: str | None = None
) -> Participant:
    """Walk a new reader from the link to the study home."""
    token = token or _token(study)
    response = client.get(reverse("take:invitation", kwargs={"token": token}))
    assert response["Location"] == reverse("take:language")
    response = client.post(reverse("take:language"), {"language": language})
    assert response["Location"] == reverse("take:consent")
    response = client.post(reverse("take:consent"), {"version": "1", "decision": "accept"})
    assert response["Location"] == reverse("take:profile")
    response = client.post(reverse("take:profile"), PROFILE)
    assert response["Location"] == reverse("take:home")
    return Participant.objects.latest("id")


def _case_key(html: str) -> str:
    return re.search(r'name="case" value="([^"]+)"', html).group(1)


def test_a_reader_goes_from_the_link_through_consent_and_profile_to_the_study(
    client: Client, study: Any
) -> None:
    participant = _join(client, study)
    assert participant.pseudonym == "R001"
    assert participant.years_in_practice == 8
    home = client.get(reverse("take:home")).content.decode()
    assert "Pigmented lesions" in home
    assert 'id="start-1"' in home
    assert 'id="start-2"' in home


def test_the_consent_page_shows_the_studys_text_and_version(client: Client, study: Any) -> None:
    client.get(reverse("take:invitation", kwargs={"token": _token(study)}))
    page = client.get(reverse("take:consent")).content.decode()
    assert "You may stop at any time." in page
    assert 'name="version" value="1"' in page


def test_declining_ends_politely_and_stores_only_the_refusal(client: Client, study: Any) -> None:
    client.get(reverse("take:invitation", kwargs={"token": _token(study)}))
    response = client.post(reverse("take:consent"), {"version": "1", "decision": "decline"})
    assert response.status_code == 200
    assert b'id="declined"' in response.content
    assert ConsentRefusal.objects.count() == 1
    assert not Participant.objects.exists()
    assert client.get(reverse("take:home")).status_code == 403


def test_a_forged_or_repeated_decline_stores_no_more_refusals(client: Client, study: Any) -> None:
    token = _token(study)
    link = reverse("take:invitation", kwargs={"token": token})
    client.get(link)
    forged = client.post(reverse("take:consent"), {"version": "0", "decision": "decline"})
    assert forged["Location"] == reverse("take:consent")  # shown the current text again
    long = client.post(reverse("take:consent"), {"version": "x" * 3009, "decision": "decline"})
    assert long.status_code == 200  # the form refuses it: no refusal stored
    assert not ConsentRefusal.objects.exists()
    client.post(reverse("take:consent"), {"version": "1", "decision": "decline"})
    for _ in range(3):  # the same link, again and again
        client.get(link)
        again = client.post(reverse("take:consent"), {"version": "1", "decision": "decline"})
        assert b'id="declined"' in again.content
    assert ConsentRefusal.objects.count() == 1


def test_an_unknown_or_revoked_link_is_refused(client: Client, study: Any) -> None:
    response = client.get(reverse("take:invitation", kwargs={"token": "not-a-token"}))
    assert response.status_code == 404
    [(invitation, token)] = invitation_create_batch(study=study, n=1, now=timezone.now())
    invitation_revoke(invitation=invitation, now=timezone.now())
    response = client.get(reverse("take:invitation", kwargs={"token": token}))
    assert response.status_code == 404
    assert b"withdrawn" in response.content


def test_pages_without_a_link_ask_for_it(client: Client, study: Any) -> None:
    for name in ("take:home", "take:profile"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("take:phase", args=[1])).status_code == 403
    # An htmx answer from a page whose session is gone reloads it, so the reader sees why.
    response = client.post(
        reverse("take:answer", args=[1]), {"case": "x", "diagnosis": "1"}, **HTMX
    )
    assert response["HX-Refresh"] == "true"


def test_the_case_page_shows_image_clinical_data_and_seven_answers(
    client: Client, study: Any
) -> None:
    _join(client, study)
    page = client.get(reverse("take:phase", args=[1])).content.decode()
    assert 'id="case-image"' in page
    for shown in (
        "<dt>Age</dt><dd>50</dd>",
        "<dt>Sex</dt><dd>male</dd>",
        "<dt>Site</dt><dd>back</dd>",
    ):
        assert shown in page
    assert len(re.findall(r'data-key="[1-7]"', page)) == 7
    assert 'id="countdown"' not in page
    assert "image 1 of 3" in page


def test_answers_by_htmx_replace_the_case_until_the_phase_is_done(
    client: Client, study: Any
) -> None:
    participant = _join(client, study)
    page = client.get(reverse("take:phase", args=[1])).content.decode()
    for number in range(3):
        response = client.post(
            reverse("take:answer", args=[1]), {"case": _case_key(page), "diagnosis": "5"}, **HTMX
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert page.lstrip().startswith('<section id="case"')
        assert "<html" not in page
        if number < 2:
            assert f"image {number + 2} of 3" in page
    assert 'id="phase-done-title"' in page
    assert 'id="next-phase"' in page
    readings = Reading.objects.filter(participant=participant)
    assert [r.diagnosis for r in readings] == ["mel"] * 3
    assert all(r.outcome == Outcome.ANSWERED for r in readings)


def test_a_double_submit_stores_one_answer_and_a_changed_one_is_ignored(
    client: Client, study: Any
) -> None:
    participant = _join(client, study)
    key = _case_key(client.get(reverse("take:phase", args=[1])).content.decode())
    url = reverse("take:answer", args=[1])
    client.post(url, {"case": key, "diagnosis": "2"}, **HTMX)
    client.post(url, {"case": key, "diagnosis": "2"}, **HTMX)
    client.post(url, {"case": key, "diagnosis": "6"}, **HTMX)
    first = Reading.objects.get(participant=participant, case__key=key)
    assert first.diagnosis == "bcc"
    assert Event.objects.filter(reading=first, kind="answered").count() == 1


def test_without_htmx_an_answer_redirects_to_the_phase(client: Client, study: Any) -> None:
    _join(client, study)
    key = _case_key(client.get(reverse("take:phase", args=[1])).content.decode())
    response = client.post(reverse("take:answer", args=[1]), {"case": key, "diagnosis": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("take:phase", args=[1])


def test_a_bad_answer_is_refused(client: Client, study: Any) -> None:
    _join(client, study)
    key = _case_key(client.get(reverse("take:phase", args=[1])).content.decode())
    response = client.post(reverse("take:answer", args=[1]), {"case": key, "diagnosis": "8"})
    assert response.status_code == 400
    response = client.post(reverse("take:answer", args=[1]), {"case": "nope", "diagnosis": "1"})
    assert response.status_code == 404


def test_coming_back_through_the_link_continues_at_the_same_case(
    client: Client, study: Any
) -> None:
    token = _token(study)
    participant = _join(client, study, token=token)
    first = client.get(reverse("take:phase", args=[1])).content.decode()
    client.post(
        reverse("take:answer", args=[1]), {"case": _case_key(first), "diagnosis": "3"}, **HTMX
    )
    current = _case_key(client.get(reverse("take:phase", args=[1])).content.decode())
    # The page is closed; later, in another browser, the reader has only the link.
    other = Client()
    response = other.get(reverse("take:invitation", kwargs={"token": token}))
    assert response["Location"] == reverse("take:home")
    again = other.get(reverse("take:phase", args=[1])).content.decode()
    assert _case_key(again) == current
    assert "image 2 of 3" in again
    assert Participant.objects.get() == participant
    assert Event.objects.filter(participant=participant, kind="resumed").exists()


def test_the_gated_phase_is_locked_until_the_previous_is_done(client: Client) -> None:
    study = StudyFactory()
    add_cases(PhaseFactory(study=study, order=1, time_limit_seconds=None), 1)
    add_cases(PhaseFactory(study=study, order=2, gated=True), 1)
    _join(client, study)
    home = client.get(reverse("take:home")).content.decode()
    assert 'id="start-2"' not in home
    assert "opens when you have finished" in home
    response = client.get(reverse("take:phase", args=[2]))
    assert response["Location"] == reverse("take:home")


def test_a_timed_case_counts_down_and_the_timeout_moves_on(client: Client, study: Any) -> None:
    participant = _join(client, study)
    page = client.get(reverse("take:phase", args=[2])).content.decode()
    seconds = float(re.search(r'data-seconds-left="([0-9.]+)"', page).group(1))
    assert 44 < seconds <= 45
    key = _case_key(page)
    # Too early: the server keeps the case open and serves it again.
    response = client.post(reverse("take:timeout", args=[2]), {"case": key}, **HTMX)
    assert _case_key(response.content.decode()) == key
    reading = Reading.objects.get(participant=participant, case__key=key)
    Reading.objects.filter(pk=reading.pk).update(
        served_at=reading.served_at - timezone.timedelta(seconds=46),
        deadline=reading.deadline - timezone.timedelta(seconds=46),
    )
    response = client.post(reverse("take:timeout", args=[2]), {"case": key}, **HTMX)
    assert _case_key(response.content.decode()) != key
    reading.refresh_from_db()
    assert reading.outcome == Outcome.TIMED_OUT


def test_a_hint_phase_shows_the_hint_in_its_style(client: Client) -> None:
    study = StudyFactory()
    run = TrainingRunFactory(name="effnet-b5-low")
    phase = PhaseFactory(study=study, order=1, hint_style=HintStyle.TOP, hint_run=run)
    cases = add_cases(phase, 2)
    predict(run, [c.image for c in cases], top="bkl", p=0.83)
    _join(client, study)
    page = client.get(reverse("take:phase", args=[1])).content.decode()
    assert 'id="hint-top"' in page
    assert "Benign keratosis</strong> (83%)" in page
    phase.hint_style = HintStyle.ALL
    phase.save()
    key = _case_key(page)
    page = client.post(
        reverse("take:answer", args=[1]), {"case": key, "diagnosis": "1"}, **HTMX
    ).content.decode()
    assert 'id="hint-all"' in page
    assert page.count("%</td>") == 7


def test_the_image_is_served_clean_only_to_a_reader_it_was_served_to(
    client: Client, study: Any
) -> None:
    participant = _join(client, study)
    page = client.get(reverse("take:phase", args=[1])).content.decode()
    key = _case_key(page)
    reading = Reading.objects.get(participant=participant, case__key=key)
    image = reading.case.image
    # Give the stored file metadata that must not travel.
    exif = PILImage.Exif()
    exif[0x010E] = image.image_id
    with PILImage.open(image.file.path) as source:
        source.save(image.file.path, format="JPEG", exif=exif, comment=image.image_id.encode())
    response = client.get(reverse("take:image", args=[key]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    data = b"".join(response.streaming_content) if response.streaming else response.content
    served = PILImage.open(io.BytesIO(data))
    assert not served.getexif()
    assert "comment" not in served.info
    assert "exif" not in served.info
    assert image.image_id.encode() not in data
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    assert image.image_id not in headers
    assert image.public_id not in headers
    # A case not served yet, and any case for a stranger, is not found.
    unserved = study.phases.get(order=1).cases.exclude(key=key).first()
    assert client.get(reverse("take:image", args=[unserved.key])).status_code == 404
    stranger = Client()
    _join(stranger, study)
    assert stranger.get(reverse("take:image", args=[key])).status_code == 404
    # Once answered, the case is closed and so is its image.
    client.post(reverse("take:answer", args=[1]), {"case": key, "diagnosis": "1"})
    assert client.get(reverse("take:image", args=[key])).status_code == 404


def test_the_case_page_names_neither_the_image_nor_its_diagnosis(
    client: Client, study: Any
) -> None:
    participant = _join(client, study)
    response = client.get(reverse("take:phase", args=[1]))
    page = response.content.decode()
    image = Reading.objects.get(participant=participant).case.image
    assert image.image_id not in page
    assert image.public_id not in page
    assert image.file.name not in page
    assert f'value="{image.lesion.diagnosis}"' not in page


def test_choosing_spanish_sets_the_language(client: Client, study: Any) -> None:
    _join(client, study, language="es")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert Participant.objects.get().language == "es"
    assert '<html lang="es">' in client.get(reverse("take:home")).content.decode()


def test_posts_without_the_csrf_token_are_refused(study: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.get(reverse("take:invitation", kwargs={"token": _token(study)}))
    response = strict.post(reverse("take:consent"), {"version": "1", "decision": "accept"})
    assert response.status_code == 403
    assert not Participant.objects.exists()


def test_a_reader_made_by_the_services_can_use_the_pages(client: Client, study: Any) -> None:
    participant, token = make_participant(study)
    client.get(reverse("take:invitation", kwargs={"token": token}))
    assert client.get(reverse("take:home"))["Location"] == reverse("take:profile")
    assert participant.profile_completed_at is None


def test_after_the_study_closes_a_reader_sees_their_score_if_the_study_allows(
    client: Client, study: Any
) -> None:
    token = _token(study)
    participant = _join(client, study, token=token)
    page = client.get(reverse("take:phase", args=[1])).content.decode()
    truth = Reading.objects.get(participant=participant).case.image.lesion.diagnosis
    number = str(DIAGNOSES.index(truth) + 1)
    client.post(reverse("take:answer", args=[1]), {"case": _case_key(page), "diagnosis": number})
    study.status = "closed"
    study.save()
    home = client.get(reverse("take:home")).content.decode()
    assert 'id="study-closed"' in home
    assert 'id="score"' not in home
    study.show_score_after_close = True
    study.save()
    returning = Client()
    returning.get(reverse("take:invitation", kwargs={"token": token}))
    page = returning.get(reverse("take:home")).content.decode()
    assert "You classified 1 of 1 images correctly." in page


def test_a_researchers_login_survives_opening_a_reader_link(
    researcher_client: Client, study: Any
) -> None:
    researcher_client.get(reverse("take:invitation", kwargs={"token": _token(study)}))
    assert researcher_client.get(reverse("contests:index")).status_code == 200
