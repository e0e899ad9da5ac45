from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from classifier.models import Evaluation, Experiment, PredictionJob, TrainingRun
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


def test_evaluations_filter_by_run_and_split(token_client: Any) -> None:
    """django-filter now reads the query: the list narrows instead of returning everything."""
    first = TrainingRun.objects.create(name="a", status="succeeded")
    second = TrainingRun.objects.create(name="b", status="succeeded")
    scores = {"n_images": 7, "accuracy": 0.5, "error_rate": 0.5, "balanced_accuracy": 0.5,
              "per_class": {}, "confusion": []}  # fmt: skip
    Evaluation.objects.create(run=first, split="test", **scores)
    Evaluation.objects.create(run=first, split="val", **scores)
    Evaluation.objects.create(run=second, split="test", **scores)
    url = "/api/classifier/evaluations/"
    assert token_client.get(url).json()["count"] == 3
    by_run = token_client.get(url, {"run": first.pk}).json()["results"]
    assert {e["run"] for e in by_run} == {first.pk}
    assert len(by_run) == 2
    by_split = token_client.get(url, {"run": first.pk, "split": "val"}).json()["results"]
    assert [(e["run"], e["split"]) for e in by_split] == [(first.pk, "val")]
    assert token_client.get(url, {"run": "x"}).status_code == 400


def test_runs_filter_by_experiment_status_and_dates(token_client: Any) -> None:
    DatasetFactory(name="ham", split_folds=2)
    token_client.post(
        "/api/classifier/experiments/",
        {"name": "e1", "dataset": "ham", "architecture": "mobilenet"},
        format="json",
    )
    experiment = Experiment.objects.get()
    TrainingRun.objects.create(name="imported", source="imported", status="succeeded")
    url = "/api/classifier/runs/"
    assert token_client.get(url).json()["count"] == 3
    assert token_client.get(url, {"experiment": experiment.pk}).json()["count"] == 2
    assert token_client.get(url, {"status": "succeeded"}).json()["count"] == 1
    assert token_client.get(url, {"dataset": "ham", "fold": 1}).json()["count"] == 1
    assert token_client.get(url, {"created_after": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    experiments = "/api/classifier/experiments/"
    assert token_client.get(experiments, {"dataset": "other"}).json()["count"] == 0


def test_runs_and_experiments_are_queued_through_the_services(
    token_client: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    DatasetFactory(name="ham", split_folds=2)
    sent: list[int] = []
    monkeypatch.setattr("classifier.tasks.train_run.delay", lambda run_id: sent.append(run_id))
    token_client.post(
        "/api/classifier/experiments/",
        {"name": "e1", "dataset": "ham", "architecture": "mobilenet"},
        format="json",
    )
    experiment = Experiment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        queued = token_client.post(f"/api/classifier/experiments/{experiment.pk}/queue/")
    assert queued.status_code == 202
    assert queued.json() == {"queued": 2}
    run = experiment.runs.get(fold=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client.post(f"/api/classifier/runs/{run.pk}/queue/")
    assert response.status_code == 202
    assert sorted(sent) == sorted([*experiment.runs.values_list("pk", flat=True), run.pk])
    TrainingRun.objects.filter(pk=run.pk).update(status="succeeded")
    done = token_client.post(f"/api/classifier/runs/{run.pk}/queue/")
    assert done.status_code == 409


def test_the_paper_grid_is_created_once_even_when_the_request_is_retried(
    token_client: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    DatasetFactory(name="ham", split_folds=2)
    sent: list[int] = []
    monkeypatch.setattr("classifier.tasks.train_run.delay", lambda run_id: sent.append(run_id))
    body = {"dataset": "ham", "preset": "cpu-demo", "folds": 1}
    with django_capture_on_commit_callbacks(execute=True):
        first = token_client.post(
            "/api/classifier/grids/", body, format="json", HTTP_IDEMPOTENCY_KEY="grid-1"
        )
    assert first.status_code == 202, first.content
    runs = first.json()["runs"]
    assert first.json()["experiments"] == len(runs) == TrainingRun.objects.count()
    assert sorted(sent) == sorted(r["id"] for r in runs)
    with django_capture_on_commit_callbacks(execute=True):
        again = token_client.post(
            "/api/classifier/grids/", body, format="json", HTTP_IDEMPOTENCY_KEY="grid-1"
        )
    assert again.json() == first.json()
    assert len(sent) == len(runs)
