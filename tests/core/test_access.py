"""Researcher pages and the API are closed to anonymous visitors and to non-researchers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

RESEARCHER_PAGES = [
    "core:home",
    "lesions:index",
    "classifier:index",
    "gan:index",
    "contests:index",
    "analysis:index",
]


@pytest.mark.parametrize("name", RESEARCHER_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", RESEARCHER_PAGES)
def test_a_logged_in_non_researcher_is_refused(
    client: Client, django_user_model: Any, name: str
) -> None:
    user = django_user_model.objects.create_user(username="bob", password="another-passphrase-2")
    client.force_login(user)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", RESEARCHER_PAGES)
def test_researchers_see_their_pages(researcher_client: Client, name: str) -> None:
    assert researcher_client.get(reverse(name)).status_code == 200


def test_the_api_schema_needs_a_researcher(client: Client, researcher_client: Client) -> None:
    assert client.get(reverse("schema")).status_code in (401, 403)
    assert researcher_client.get(reverse("schema")).status_code == 200


def test_health_check_answers_without_login(client: Client) -> None:
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
