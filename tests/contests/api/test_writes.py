"""A study's life cycle through the API with a token: the builder's services and rules."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from contests.models import Case, Invitation, Phase, Study, StudyStatus
from contests.services.invitations import invitation_redeem
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run

pytestmark = pytest.mark.django_db

STUDIES = "/api/contests/studies/"


@pytest.fixture
def draft(token_client: APIClient) -> dict[str, Any]:
    held_out_catalogue(name="ham", per_class=4)
    response = token_client.post(
        STUDIES,
        {
            "title": "Custom",
            "dataset": "ham",
            "consent_text": "I agree.",
            "languages": ["es", "en", "es"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def add_phase(client: APIClient, study: int, **fields: Any) -> Any:
    return client.post(f"{STUDIES}{study}/phases/", fields, format="json")


def test_a_custom_study_is_built_phase_by_phase_then_opened_and_closed(
    token_client: APIClient, draft: dict[str, Any]
) -> None:
    assert draft["status"] == "draft"
    assert draft["languages"] == ["es", "en"]  # in the order given, each once
    study = draft["id"]
    first = add_phase(token_client, study, title="Untimed", cases={"n": 7, "seed": 3})
    assert first.status_code == 201, first.content
    assert first.json()["drawn"] == 7
    assert first.json()["phase"]["case_count"] == 7
    second = add_phase(
        token_client,
        study,
        title="Timed",
        time_limit_seconds=45,
        cases={"n": 4, "proportions": {"mel": 1, "nv": 1}},
    )
    assert second.json()["phase"]["order"] == 2
    second_id = second.json()["phase"]["id"]
    diagnoses = set(
        Case.objects.filter(phase_id=second_id).values_list("image__lesion__diagnosis", flat=True)
    )
    assert diagnoses == {"mel", "nv"}
    opened = token_client.post(f"{STUDIES}{study}/open/", {}, format="json")
    assert opened.status_code == 200, opened.content
    assert opened.json()["study"]["status"] == "open"
    assert opened.json()["waiting_for_hints"] == []
    closed = token_client.post(f"{STUDIES}{study}/close/")
    assert closed.json()["status"] == "closed"
    assert not Phase.objects.filter(study_id=study, closes_at__isnull=True).exists()


def test_phases_change_and_reorder_only_before_the_study_opens(
    token_client: APIClient, draft: dict[str, Any]
) -> None:
    study = draft["id"]
    a = add_phase(token_client, study, title="A", cases={"n": 2}).json()["phase"]["id"]
    b = add_phase(token_client, study, title="B", cases={"n": 2}).json()["phase"]["id"]
    changed = token_client.patch(
        f"/api/contests/phases/{a}/", {"title": "A, timed", "time_limit_seconds": 30}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], changed.json()["time_limit_seconds"]) == ("A, timed", 30)
    reordered = token_client.post(
        f"{STUDIES}{study}/phases/reorder/", {"phases": [b, a]}, format="json"
    )
    assert [(p["id"], p["order"]) for p in reordered.json()] == [(b, 1), (a, 2)]
    bad = token_client.post(f"{STUDIES}{study}/phases/reorder/", {"phases": [b]}, format="json")
    assert bad.status_code == 400
    redrawn = token_client.post(f"/api/contests/phases/{a}/draw/", {"n": 3, "seed": 9})
    assert redrawn.json()["drawn"] == 3
    token_client.post(f"{STUDIES}{study}/open/", {}, format="json")
    for response in (
        token_client.patch(f"/api/contests/phases/{a}/", {"title": "late"}, format="json"),
        token_client.post(f"{STUDIES}{study}/phases/reorder/", {"phases": [a, b]}, format="json"),
        add_phase(token_client, study, title="C"),
        token_client.post(f"/api/contests/phases/{a}/draw/", {"n": 2}),
    ):
        assert response.status_code == 409, response.content
        assert response.json()["type"] == "urn:reader-study:problem:conflict"
    assert Phase.objects.get(pk=a).title == "A, timed"


def test_a_hint_phase_needs_a_model_and_its_predictions_to_open(
    token_client: APIClient, draft: dict[str, Any]
) -> None:
    study = draft["id"]
    missing = add_phase(token_client, study, title="AI", hint_style="all")
    assert missing.status_code == 400
    assert missing.json()["detail"] == "A hint phase needs a hint model."
    predicting_run(Study.objects.get(pk=study).dataset, name="effnet")
    run = predicting_run(held_out_catalogue(name="other", per_class=1), name="no-preds-here")
    phase = add_phase(token_client, study, title="AI", hint_style="all", hint_run=run.name,
                      cases={"n": 3})  # fmt: skip
    assert phase.status_code == 201
    refused = token_client.post(f"{STUDIES}{study}/open/", {}, format="json")
    assert refused.status_code == 400
    assert "has no prediction" in refused.json()["detail"]
    waiting = token_client.post(f"{STUDIES}{study}/open/", {"wait_for_hints": True}, format="json")
    assert waiting.json()["waiting_for_hints"] == [phase.json()["phase"]["id"]]
    assert Study.objects.get(pk=study).status == StudyStatus.OPEN


def test_the_paper_preset_makes_its_three_phases_at_a_small_scale(token_client: APIClient) -> None:
    dataset = held_out_catalogue(name="ham", per_class=5)
    run = predicting_run(dataset)
    response = token_client.post(
        f"{STUDIES}from-preset/",
        {"preset": "paper", "dataset": "ham", "hint_run": run.name, "scale": 0.1},
        format="json",
    )
    assert response.status_code == 201, response.content
    phases = response.json()["phases"]
    assert [(p["case_count"], p["time_limit_seconds"], p["hint_style"]) for p in phases] == [
        (16, None, "none"),
        (4, 45, "none"),
        (4, 45, "all"),
    ]
    study = response.json()["id"]
    assert token_client.post(f"{STUDIES}{study}/open/", {}, format="json").status_code == 200


def test_invitations_are_returned_once_listed_without_tokens_and_revoked(
    token_client: APIClient, draft: dict[str, Any]
) -> None:
    study = draft["id"]
    add_phase(token_client, study, title="A", cases={"n": 2})
    token_client.post(f"{STUDIES}{study}/open/", {}, format="json")
    made = token_client.post(
        f"{STUDIES}{study}/invitations/", {"n": 3, "label": "site A", "expires_in_days": 7}
    )
    assert made.status_code == 201, made.content
    assert made["Cache-Control"] == "no-store"
    links = [item["link"] for item in made.json()["invitations"]]
    assert len(links) == 3
    assert all("/take/i/" in link for link in links)
    token = links[0].rstrip("/").rsplit("/", 1)[1]
    assert (
        invitation_redeem(token=token, now=Invitation.objects.first().created_at).study_id == study
    )
    listed = token_client.get(f"/api/contests/invitations/?study={study}").content.decode()
    assert token not in listed
    assert "link" not in listed
    first = made.json()["invitations"][0]["id"]
    revoked = token_client.post(f"/api/contests/invitations/{first}/revoke/")
    assert revoked.json()["revoked_at"] is not None
    assert token_client.get("/api/contests/invitations/?revoked=true").json()["count"] == 1
    assert token_client.get("/api/contests/invitations/?revoked=false").json()["count"] == 2


def test_a_retried_invitation_batch_gives_the_same_invitations_with_working_new_links(
    token_client: APIClient, draft: dict[str, Any]
) -> None:
    study = draft["id"]
    add_phase(token_client, study, title="A", cases={"n": 2})
    token_client.post(f"{STUDIES}{study}/open/", {}, format="json")
    url = f"{STUDIES}{study}/invitations/"
    first = token_client.post(url, {"n": 2}, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    again = token_client.post(url, {"n": 2}, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert again["Idempotent-Replayed"] == "true"
    ids = [item["id"] for item in first.json()["invitations"]]
    assert [item["id"] for item in again.json()["invitations"]] == ids
    assert Invitation.objects.count() == 2
    old, new = (
        [item["link"].rstrip("/").rsplit("/", 1)[1] for item in r.json()["invitations"]]
        for r in (first, again)
    )
    now = Invitation.objects.first().created_at
    assert all(invitation_redeem(token=token, now=now) for token in new)
    assert str(old[0]) not in str(new)
