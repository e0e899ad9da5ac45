"""The GAN API: a run queued through gan.services, polled, and the lists' filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gan.models import GanRun
from lesions.models import Dataset

pytestmark = pytest.mark.django_db


def test_a_run_is_queued_and_polled(
    token_client: Any,
    real_dataset: Dataset,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    sent: list[int] = []
    monkeypatch.setattr("gan.tasks.train_gan_run.delay", lambda run_id: sent.append(run_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client.post(
            "/api/gan/runs/",
            {"dataset": real_dataset.name, "final_size": 32, "name": "api-run"},
            format="json",
        )
    assert response.status_code == 202, response.content
    run = GanRun.objects.get(name="api-run")
    assert sent == [run.pk]
    polled = token_client.get(f"/api/gan/runs/{run.pk}/").json()
    assert (polled["status"], polled["final_size"], polled["dataset"]) == (
        "pending", 32, real_dataset.name
    )  # fmt: skip


def test_a_synthetic_data_set_is_refused(token_client: Any, real_dataset: Dataset) -> None:
    Dataset.objects.filter(pk=real_dataset.pk).update(is_synthetic=True)
    response = token_client.post("/api/gan/runs/", {"dataset": real_dataset.name}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "dataset"


def test_runs_filter_by_status_and_data_set(
    token_client: Any, make_run: Callable[..., GanRun]
) -> None:
    make_run(name="done")
    make_run(name="waiting")
    GanRun.objects.filter(name="done").update(status="succeeded")
    url = "/api/gan/runs/"
    names = [r["name"] for r in token_client.get(url, {"status": "succeeded"}).json()["results"]]
    assert names == ["done"]
    assert token_client.get(url, {"dataset": "nothing"}).json()["count"] == 0
    assert token_client.get(url, {"dataset": "standin-small"}).json()["count"] == 2
