"""Hostile bodies on the API's writes: a 400 problem (RFC 9457) that names what is wrong, never
a 500, and nothing stored: wrong JSON, wrong types, unbounded numbers, oversized text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contests.models import Invitation, Phase, Study, StudyStatus
from contests.services.builder import phase_create, study_create
from gan.models import GanRun
from tests.contests.researcher_catalogue import held_out_catalogue

pytestmark = pytest.mark.django_db

# Values put in place of one field at a time. "1e400" reaches Python's json as infinity.
HOSTILE_VALUES = [None, [], {}, True, -1, 10**30, "x" * 100_000, "1e400"]
BROKEN_BODIES = ["{", "[]", '"a string"', '{"title": NaN}', "\x00\xff"]


@pytest.fixture
def draft() -> Study:
    dataset = held_out_catalogue(per_class=2)
    study = study_create(title="Draft", consent_text="ok", dataset=dataset)
    phase_create(study=study, title="One")
    return study


def _writes(study: Study) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, a valid body) of the API's writes that create or change study data."""
    dataset = study.dataset.name if study.dataset else ""
    return [
        ("post", "/api/contests/studies/", {"title": "T", "consent_text": "c", "dataset": dataset}),
        ("post", f"/api/contests/studies/{study.pk}/phases/", {"title": "P", "cases": {"n": 2}}),
        ("patch", f"/api/contests/studies/{study.pk}/texts/", {"texts": {"es": {"title": "x"}}}),
        ("post", f"/api/contests/studies/{study.pk}/invitations/", {"n": 2}),
        ("post", "/api/gan/runs/", {"dataset": dataset, "final_size": 32}),
    ]


def _stored() -> tuple[int, ...]:
    return (
        Study.objects.count(),
        Phase.objects.count(),
        Invitation.objects.count(),
        GanRun.objects.count(),
    )


def _raw(value: Any) -> str:
    return "1e400" if value == "1e400" else json.dumps(value)


def _body_with(body: dict[str, Any], field: str, value: Any) -> str:
    """``body`` as JSON with one field (``a.b`` for nested) replaced by ``value``, verbatim."""
    marker = "\x01hostile\x01"
    outer, _, inner = field.partition(".")
    changed = json.loads(json.dumps(body))
    if inner:
        changed[outer][inner] = marker
    else:
        changed[outer] = marker
    return json.dumps(changed).replace(json.dumps(marker), _raw(value))


def _fields(body: dict[str, Any]) -> list[str]:
    names = []
    for key, value in body.items():
        names.append(key)
        if isinstance(value, dict):
            names += [f"{key}.{inner}" for inner in value if not isinstance(value[inner], dict)]
    return names


def _assert_problem(response: Any) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400
    # A field's error names the field; a body that cannot be read says so in ``detail``.
    if "errors" in problem:
        assert all(error["detail"] and error["attr"] for error in problem["errors"]), problem
    else:
        assert problem["detail"], problem


def test_every_write_refuses_every_hostile_value_of_every_field(
    token_client: Any, draft: Study
) -> None:
    Study.objects.filter(pk=draft.pk).update(status=StudyStatus.DRAFT)
    tried = 0
    for method, path, body in _writes(draft):
        for field in _fields(body):
            for value in HOSTILE_VALUES:
                if field == "texts" and value == {}:
                    continue  # no text given: nothing changes, a valid request
                before = _stored()
                response = getattr(token_client, method)(
                    path, _body_with(body, field, value), content_type="application/json"
                )
                if field.startswith("texts") and value == "x" * 100_000:
                    _assert_problem(response)  # a title of 100,000 characters
                elif response.status_code != 400:
                    # Some hostile values are valid for some fields (a long title is not; -1
                    # is not a count; True is not a string): only a 400 or a success is fair.
                    assert response.status_code in (200, 201, 202), (
                        path, field, repr(value)[:40], response.status_code, response.content[:300]
                    )  # fmt: skip
                    continue
                _assert_problem(response)
                assert _stored() == before, (path, field, repr(value)[:40])
                tried += 1
    assert tried > 60


@pytest.mark.parametrize("raw", BROKEN_BODIES)
def test_a_body_that_is_not_a_json_object_is_a_400_problem(
    token_client: Any, draft: Study, raw: str
) -> None:
    for method, path, _body in _writes(draft):
        before = _stored()
        response = getattr(token_client, method)(path, raw, content_type="application/json")
        _assert_problem(response)
        assert _stored() == before, path
