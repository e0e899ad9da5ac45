"""Studies from a preset through the API, with their design options, for researchers only."""

from __future__ import annotations

import pytest
from django.test import Client

from contests.models import Study, StudyStatus
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset_name() -> str:
    dataset = held_out_catalogue(per_class=12)
    predicting_run(dataset)
    return dataset.name


def test_a_crossover_is_built_opened_and_shown_with_its_options(
    researcher_client: Client, dataset_name: str
) -> None:
    response = researcher_client.post(
        "/api/contests/studies/from-preset/",
        {
            "preset": "crossover",
            "dataset": dataset_name,
            "scale": 0.1,
            "washout_days": 21,
            "asks_confidence": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    opened = researcher_client.post(
        f"/api/contests/studies/{body['id']}/open/",
        {"wait_for_hints": True},
        content_type="application/json",
    )
    assert opened.status_code == 200
    assert (body["design"], body["washout_days"], body["asks_confidence"]) == (
        "crossover",
        21,
        True,
    )
    without, with_ai = body["phases"]
    assert with_ai["shares_cases_with"] == without["id"]
    assert without["case_count"] == with_ai["case_count"] == 7
    assert Study.objects.get(pk=body["id"]).status == StudyStatus.OPEN
    shown = researcher_client.get(f"/api/contests/studies/{body['id']}/").json()
    assert shown["block_size"] == 4


def test_the_papers_study_can_be_counterbalanced(
    researcher_client: Client, dataset_name: str
) -> None:
    response = researcher_client.post(
        "/api/contests/studies/from-preset/",
        {"preset": "paper", "dataset": dataset_name, "scale": 0.1, "counterbalanced": True},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["design"] == "counterbalanced"
    assert [phase["case_count"] for phase in body["phases"]] == [16, 8, 8]


def test_refusals_come_back_as_400_and_strangers_get_nothing(
    researcher_client: Client, client: Client, dataset_name: str
) -> None:
    crossed_swap = {"preset": "crossover", "dataset": dataset_name, "counterbalanced": True}
    response = researcher_client.post(
        "/api/contests/studies/from-preset/", crossed_swap, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nothing to swap" in response.json()["detail"]
    odd = {"preset": "paper", "dataset": dataset_name, "block_size": 1}
    response = researcher_client.post(
        "/api/contests/studies/from-preset/", odd, content_type="application/json"
    )
    assert response.status_code == 400
    assert client.post("/api/contests/studies/from-preset/", {}).status_code == 401
    assert not Study.objects.exists()
