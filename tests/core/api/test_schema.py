"""The schema validates with no warning, and its docs pages work with no network."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = Path(tmp_path_factory.mktemp("schema")) / "schema.yaml"
    # Raises (and so fails) on any warning or validation error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def test_the_schema_validates_without_warnings(schema: dict) -> None:
    assert schema["openapi"].startswith("3.")


def test_the_schema_documents_the_token_header(schema: dict) -> None:
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": scheme["description"],
    }
    assert "Token <token>" in scheme["description"]
    assert "basicAuth" not in schema["components"]["securitySchemes"]


def test_progress_is_a_plain_list_and_the_summary_is_typed(schema: dict) -> None:
    progress = schema["paths"]["/api/contests/studies/{id}/progress/"]["get"]
    body = progress["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"type": "array", "items": {"$ref": "#/components/schemas/ParticipantProgress"}}
    summary = schema["paths"]["/api/analysis/studies/{id}/summary/"]["get"]
    ref = summary["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/StudySummary"
    assert "table4" in schema["components"]["schemas"]["StudySummary"]["properties"]


def test_errors_and_idempotency_keys_are_documented(schema: dict) -> None:
    create = schema["paths"]["/api/contests/studies/"]["post"]
    assert {"Idempotency-Key"} <= {p["name"] for p in create["parameters"]}
    for code in ("400", "401", "403", "409", "422"):
        assert "application/problem+json" in create["responses"][code]["content"]


def test_list_filters_are_in_the_schema(schema: dict) -> None:
    evaluations = schema["paths"]["/api/classifier/evaluations/"]["get"]
    assert {"run", "split", "created_after", "created_before"} <= {
        p["name"] for p in evaluations["parameters"]
    }


@pytest.mark.parametrize("name", ["swagger-ui", "redoc"])
def test_the_docs_pages_load_their_scripts_from_the_project(
    researcher_client: Client, name: str
) -> None:
    page = researcher_client.get(reverse(name)).content.decode()
    assert "cdn." not in page
    assert "https://" not in page
    assert "/static/drf_spectacular_sidecar/" in page


def test_the_sidecar_scripts_are_served_by_the_project(researcher_client: Client) -> None:
    response = researcher_client.get(
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    )
    assert response.status_code == 200
