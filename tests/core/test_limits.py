"""Limits where anyone with a link (or a guess) can send requests, and on researcher logins."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contests.services.invitations import invitation_create_batch
from tests.contests.factories import PhaseFactory, StudyFactory, add_cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def link() -> str:
    study = StudyFactory()
    add_cases(PhaseFactory(study=study, order=1), 2)
    [(_, token)] = invitation_create_batch(study=study, n=1, now=timezone.now())
    return reverse("take:invitation", kwargs={"token": token})


def test_wrong_passwords_lock_that_user_out_from_that_address(
    client: Client, researcher: Any, settings: Any
) -> None:
    login = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"username": "alice", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    locked = client.post(login, {"username": "alice", "password": "wrong"})
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page
    assert "Try again in 15 minutes" in page
    # Locked: even the right password is refused until the cool-off ends.
    right = client.post(login, {"username": "alice", "password": "a-long-passphrase-1"})
    assert right.status_code == 429
    # Another account from the same address is not affected.
    assert Client().post(login, {"username": "bob", "password": "x"}).status_code == 200


def test_a_successful_login_resets_the_count(
    client: Client, researcher: Any, settings: Any
) -> None:
    login = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(login, {"username": "alice", "password": "wrong"})
    response = client.post(login, {"username": "alice", "password": "a-long-passphrase-1"})
    assert response.status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(login, {"username": "alice", "password": "w"}).status_code == 200


def test_guessing_invitation_links_is_slowed_down(client: Client, settings: Any, link: str) -> None:
    settings.INVALID_LINKS_PER_MINUTE = 3
    for n in range(3):
        guess = reverse("take:invitation", kwargs={"token": f"guess-{n}"})
        assert client.get(guess).status_code == 404
    response = client.get(reverse("take:invitation", kwargs={"token": "guess-3"}))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Too many requests" in response.content.decode()


def test_valid_links_never_count_against_an_address(settings: Any) -> None:
    settings.INVALID_LINKS_PER_MINUTE = 2
    study = StudyFactory()
    add_cases(PhaseFactory(study=study, order=1), 1)
    made = invitation_create_batch(study=study, n=5, now=timezone.now())
    for _, token in made:  # a room of GPs behind one address, all opening their links
        response = Client().get(reverse("take:invitation", kwargs={"token": token}))
        assert response.status_code == 302


def test_a_session_hammering_the_gp_pages_gets_429(
    client: Client, settings: Any, link: str
) -> None:
    settings.GP_REQUESTS_PER_MINUTE = 5
    client.get(link)  # the session begins here
    statuses = [client.get(reverse("take:language")).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert client.get(reverse("take:language")).status_code == 429
    # Another reader's session is not affected.
    assert Client().get(link).status_code == 302


def test_the_429_page_speaks_the_readers_language(client: Client, settings: Any) -> None:
    settings.GP_REQUESTS_PER_MINUTE = 1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.get(reverse("take:home"))
    response = client.get(reverse("take:home"))
    assert response.status_code == 429
    assert '<html lang="es">' in response.content.decode()


def test_a_big_or_multipart_body_to_a_gp_page_is_refused(client: Client, link: str) -> None:
    client.get(link)
    answer = reverse("take:answer", kwargs={"order": 1})
    big = client.post(
        answer,
        f"case={'x' * 20_000}&diagnosis=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert big.status_code == 413
    upload = client.post(answer, {"case": "x", "file": io.BytesIO(b"0" * 50_000)})
    assert upload.status_code == 413


def test_a_ten_megabyte_multipart_post_is_refused_before_it_is_read(client: Client) -> None:
    response = client.generic(
        "POST",
        reverse("take:answer", kwargs={"order": 1}),
        data=b"0" * (10 * 1024 * 1024),
        content_type="multipart/form-data; boundary=xyz",
    )
    assert response.status_code == 413


def test_a_body_of_unstated_length_is_refused(client: Client) -> None:
    response = client.generic(
        "POST",
        reverse("take:answer", kwargs={"order": 1}),
        data=b"",
        content_type="application/x-www-form-urlencoded",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 411


def test_the_api_throttles_each_researcher(
    researcher_client: Client, django_user_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.throttles import ResearcherRateThrottle

    monkeypatch.setattr(ResearcherRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    url = reverse("schema")
    assert [researcher_client.get(url).status_code for _ in range(3)] == [200] * 3
    throttled = researcher_client.get(url)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    # Another researcher is counted apart.
    other = django_user_model.objects.create_user(username="bob", password="x", is_staff=True)
    client = Client()
    client.force_login(other)
    assert client.get(url).status_code == 200
