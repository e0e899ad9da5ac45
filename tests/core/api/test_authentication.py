"""Personal API tokens: hashed, expiring, revocable, with their last use; no HTTP Basic."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ApiToken
from core.services import TokenError, api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

URL = "/api/contests/studies/"


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_lets_a_researcher_in_and_only_its_digest_is_stored(researcher: Any) -> None:
    row, token = api_token_create(user=researcher, name="notebook", now=timezone.now())
    assert token.startswith("rs_")
    stored = ApiToken.objects.get(pk=row.pk)
    assert token not in (stored.digest, stored.token_key)
    assert len(stored.digest) == 128  # SHA-512, hex
    assert client_with(token).get(URL).status_code == 200


def test_the_last_use_is_recorded_at_most_once_a_minute(researcher: Any) -> None:
    row, token = api_token_create(user=researcher, name="notebook", now=timezone.now())
    assert row.last_used_at is None
    client = client_with(token)
    client.get(URL)
    first = ApiToken.objects.get(pk=row.pk).last_used_at
    assert first is not None
    client.get(URL)
    assert ApiToken.objects.get(pk=row.pk).last_used_at == first
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - timedelta(minutes=5))
    client.get(URL)
    assert ApiToken.objects.get(pk=row.pk).last_used_at > first


def test_a_revoked_or_expired_or_wrong_token_is_refused_with_401(researcher: Any) -> None:
    now = timezone.now()
    revoked, revoked_token = api_token_create(user=researcher, name="old", now=now)
    api_token_revoke(token=revoked)
    expiring, expiring_token = api_token_create(
        user=researcher, name="short", now=now, expires_at=now + timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=expiring.pk).update(expiry=now - timedelta(seconds=1))
    for token in (revoked_token, expiring_token, "rs_" + "0" * 64):
        response = client_with(token).get(URL)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == "Invalid token."


def test_a_non_researcher_s_token_is_refused(django_user_model: Any) -> None:
    gp = django_user_model.objects.create_user(username="gp", password="a-long-passphrase-3")
    _row, token = api_token_create(user=gp, name="x", now=timezone.now())
    assert client_with(token).get(URL).status_code == 403


def test_http_basic_is_not_accepted(researcher: Any) -> None:
    credentials = base64.b64encode(b"alice:a-long-passphrase-1").decode()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert client.get(URL).status_code == 401


def test_a_token_needs_a_name_and_a_future_expiry(researcher: Any) -> None:
    now = timezone.now()
    with pytest.raises(TokenError):
        api_token_create(user=researcher, name="  ", now=now)
    with pytest.raises(TokenError):
        api_token_create(user=researcher, name="x", now=now, expires_at=now)
