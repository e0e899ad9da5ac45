"""POSTs that create accept an Idempotency-Key: a retry returns the first response and creates
nothing new."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from contests.models import Study
from core.models import IdempotentResponse
from tests.lesions.factories import DatasetFactory

pytestmark = pytest.mark.django_db

URL = "/api/contests/studies/"


@pytest.fixture
def body() -> dict[str, Any]:
    DatasetFactory(name="ham")
    return {"title": "Retried", "dataset": "ham", "consent_text": "I agree."}


def post(client: APIClient, body: dict[str, Any], key: str | None) -> Any:
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(URL, body, format="json", **headers)


def test_a_retry_with_the_same_key_returns_the_same_response_and_creates_nothing(
    token_client: APIClient, body: dict[str, Any]
) -> None:
    first = post(token_client, body, "4b0e-retry-1")
    again = post(token_client, body, "4b0e-retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Study.objects.count() == 1
    assert post(token_client, body, "another-key").status_code == 201
    assert post(token_client, body, None).status_code == 201
    assert Study.objects.count() == 3


def test_the_same_key_with_another_body_is_refused(
    token_client: APIClient, body: dict[str, Any]
) -> None:
    post(token_client, body, "k1")
    response = post(token_client, {**body, "title": "Other"}, "k1")
    assert response.status_code == 422
    assert response.json()["type"] == "urn:reader-study:problem:idempotency-key-reused"
    assert Study.objects.count() == 1


def test_an_error_is_not_kept_so_a_corrected_retry_runs(
    token_client: APIClient, body: dict[str, Any]
) -> None:
    assert post(token_client, {**body, "dataset": "nope"}, "k2").status_code == 400
    assert not IdempotentResponse.objects.exists()
    assert post(token_client, body, "k2").status_code == 201


def test_keys_are_kept_for_a_day_per_user_and_only_as_hashes(
    token_client: APIClient, body: dict[str, Any], settings: Any
) -> None:
    post(token_client, body, "secret-looking-key")
    kept = IdempotentResponse.objects.get()
    assert "secret-looking-key" not in kept.key_hash
    IdempotentResponse.objects.update(
        created_at=kept.created_at - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    )
    response = post(token_client, body, "secret-looking-key")
    assert "Idempotent-Replayed" not in response
    assert Study.objects.count() == 2
    assert IdempotentResponse.objects.count() == 1


def test_a_blank_or_too_long_key_is_invalid(token_client: APIClient, body: dict[str, Any]) -> None:
    for key in (" ", "x" * 256):
        response = post(token_client, body, key)
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "Idempotency-Key"
