"""The researcher's tokens page: a new token shown once, their own tokens listed and revoked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ApiToken
from core.services import api_token_create

pytestmark = pytest.mark.django_db


def test_the_home_page_links_to_the_tokens_page(researcher_client: Client) -> None:
    assert (
        reverse("core:api_tokens") in researcher_client.get(reverse("core:home")).content.decode()
    )


def test_a_new_token_is_shown_once_and_works(researcher_client: Client, researcher: Any) -> None:
    response = researcher_client.post(
        reverse("core:api_tokens"), {"name": "R notebook", "expires_in_days": "30"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(r'id="new-token">(rs_[0-9a-f]+)<', response.content.decode())
    assert match is not None
    token = match.group(1)
    row = ApiToken.objects.get(user=researcher)
    assert row.name == "R notebook"
    assert row.expiry is not None
    assert (row.expiry - timezone.now()).days in (29, 30)
    again = researcher_client.get(reverse("core:api_tokens")).content.decode()
    assert token not in again
    assert "R notebook" in again
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/contests/studies/").status_code == 200


def test_a_researcher_revokes_their_own_tokens_only(
    researcher_client: Client, researcher: Any, django_user_model: Any
) -> None:
    mine, _ = api_token_create(user=researcher, name="mine", now=timezone.now())
    other = django_user_model.objects.create_user(username="bob", password="a-long-passphrase-4")
    theirs, _ = api_token_create(user=other, name="theirs", now=timezone.now())
    page = researcher_client.get(reverse("core:api_tokens")).content.decode()
    assert "mine" in page
    assert "theirs" not in page
    url = reverse("core:api_token_revoke", args=[theirs.pk])
    assert researcher_client.post(url).status_code == 404
    researcher_client.post(reverse("core:api_token_revoke", args=[mine.pk]))
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["theirs"]


def test_the_tokens_page_is_for_researchers(client: Client) -> None:
    assert client.get(reverse("core:api_tokens")).status_code == 302
