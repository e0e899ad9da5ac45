"""Every API error comes as problem details (RFC 9457) in application/problem+json."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.lesions.factories import DatasetFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_a_missing_object_is_a_404_problem(token_client: APIClient) -> None:
    response = token_client.get("/api/contests/studies/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not found.",
        "instance": "/api/contests/studies/999999/",
    }


def test_invalid_input_names_each_field(token_client: APIClient) -> None:
    response = token_client.post(
        "/api/contests/studies/",
        {"title": "", "dataset": "nope", "grace_seconds": -1},
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "urn:reader-study:problem:validation-error"
    assert body["title"] == "Invalid input"
    assert body["status"] == 400
    fields = {error["attr"] for error in body["errors"]}
    assert fields == {"title", "dataset", "consent_text", "grace_seconds"}
    assert "dataset: Object with name=nope does not exist." in body["detail"]


def test_a_rule_of_the_services_is_a_refusal_problem(token_client: APIClient) -> None:
    DatasetFactory(name="empty")
    created = token_client.post(
        "/api/contests/studies/",
        {"title": "S", "dataset": "empty", "consent_text": "ok"},
        format="json",
    ).json()
    response = token_client.post(f"/api/contests/studies/{created['id']}/open/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "urn:reader-study:problem:refused"
    assert body["detail"] == "The study has no phases."


def test_the_browsable_api_keeps_its_html_for_errors(token_client: APIClient) -> None:
    response = token_client.get("/api/contests/studies/999999/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
