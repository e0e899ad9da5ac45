from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from classifier.models import Experiment, PredictionJob, TrainingRun
from tests.lesions.factories import DatasetFactory, ImageFactory

pytestmark = pytest.mark.django_db


def test_the_api_needs_a_researcher(client: Client) -> None:
    assert client.get("/api/classifier/experiments/").status_code in (401, 403)
    assert client.get("/api/classifier/runs/").status_code in (401, 403)


def test_a_researcher_creates_and_lists_experiments_through_the_api(
    researcher_client: Client,
) -> None:
    DatasetFactory(name="ham", split_folds=2)
    created = researcher_client.post(
        "/api/classifier/experiments/",
        {"name": "api-exp", "dataset": "ham", "architecture": "mobilenet", "epochs": 3},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["architecture"] == "mobilenetv2_100"
    assert Experiment.objects.get(name="api-exp").runs.count() == 2
    listed = researcher_client.get("/api/classifier/experiments/").json()
    assert [e["name"] for e in listed["results"]] == ["api-exp"]
    runs = researcher_client.get("/api/classifier/runs/").json()["results"]
    assert {r["name"] for r in runs} == {"api-exp-fold0", "api-exp-fold1"}
    assert {r["status"] for r in runs} == {"pending"}
    bad = researcher_client.post(
        "/api/classifier/experiments/",
        {"name": "x", "dataset": "ham", "architecture": "nonet"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "nonet" in bad.content.decode()


def test_predictions_for_a_phases_images_are_queued_as_a_job(
    researcher_client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    run = TrainingRun.objects.create(name="done", status="succeeded")
    images = [ImageFactory(), ImageFactory()]
    sent: list[int] = []
    monkeypatch.setattr("classifier.tasks.predict_images.delay", lambda job_id: sent.append(job_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = researcher_client.post(
            f"/api/classifier/runs/{run.pk}/predictions/",
            {"image_ids": [i.pk for i in images], "label": "phase 3"},
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    job = PredictionJob.objects.get()
    assert job.image_ids == [i.pk for i in images]
    assert sent == [job.pk]
    missing = researcher_client.post(
        f"/api/classifier/runs/{run.pk}/predictions/",
        {"image_ids": [123456]},
        content_type="application/json",
    )
    assert missing.status_code == 400
