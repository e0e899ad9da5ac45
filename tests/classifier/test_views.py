from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from classifier import services
from classifier.models import Experiment, TrainingRun
from tests.classifier.conftest import MakeDataset, class_jpeg
from tests.lesions.factories import DatasetFactory

pytestmark = pytest.mark.django_db

TINY = {"epochs": 1, "batch_size": 8, "input_width": 32, "input_height": 24, "folds": [0]}


@pytest.fixture
def trained_run(make_dataset: MakeDataset) -> TrainingRun:
    dataset = make_dataset(per_class=3, test_per_class=1, folds=2)
    experiment = services.experiment_create(
        name="shown", dataset=dataset, architecture="test_efficientnet", **TINY
    )
    run = experiment.runs.get()
    services.run_train_and_evaluate(run=run)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return run


def test_pages_need_a_researcher(client: Client, django_user_model: Any) -> None:
    url = reverse("classifier:index")
    assert client.get(url).status_code == 302
    django_user_model.objects.create_user(username="gp", password="a-long-passphrase-2")
    client.login(username="gp", password="a-long-passphrase-2")
    assert client.get(url).status_code == 403
    assert client.get(reverse("classifier:try")).status_code == 403


def test_a_researcher_creates_an_experiment_in_the_form_and_sees_its_runs(
    researcher_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    dataset = DatasetFactory(name="ham", split_folds=3)
    with django_capture_on_commit_callbacks() as callbacks:
        response = researcher_client.post(
            reverse("classifier:experiment-new"),
            {
                "name": "first", "dataset": dataset.pk, "architecture": "resnet50",
                "resolution": "high", "use_clinical": "on", "fusion": "gated", "epochs": 90,
                "batch_size": 32, "lr": 0.001, "weight_decay": 0.0001, "optimizer": "sgd",
                "schedule": "step", "augmentation": "on", "imbalance": "balanced_sampler",
                "dropout": 0.5, "seed": 1,
            },
        )  # fmt: skip
    experiment = Experiment.objects.get(name="first")
    assert response.status_code == 302
    assert experiment.created_by is not None
    assert (experiment.resolution, experiment.use_clinical, experiment.fusion) == (
        "high", True, "gated",
    )  # fmt: skip
    assert experiment.runs.count() == 3
    assert len(callbacks) == 0  # "queue" was not ticked
    page = researcher_client.get(reverse("classifier:experiment", args=[experiment.pk]))
    text = page.content.decode()
    assert "first-fold2" in text
    assert reverse("classifier:run-status", args=[experiment.runs.get(fold=2).pk]) in text
    assert 'hx-trigger="load delay:2s"' in text


def test_the_form_shows_a_bad_architecture_and_stores_nothing(researcher_client: Client) -> None:
    dataset = DatasetFactory(name="ham", split_folds=3)
    response = researcher_client.post(
        reverse("classifier:experiment-new"),
        {
            "name": "bad", "dataset": dataset.pk, "architecture": "resnet-9000",
            "resolution": "low", "fusion": "concat", "epochs": 1, "batch_size": 8, "lr": 0.1,
            "weight_decay": 0, "optimizer": "adamw", "schedule": "cosine",
            "imbalance": "none", "dropout": 0.5, "seed": 0,
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "resnet-9000" in response.content.decode()
    assert not Experiment.objects.exists()


@pytest.mark.slow
def test_a_trained_run_shows_its_curves_numbers_and_answers_the_try_page(
    researcher_client: Client, trained_run: TrainingRun
) -> None:
    status = researcher_client.get(reverse("classifier:run-status", args=[trained_run.pk]))
    assert "100%" in status.content.decode()
    assert "hx-get" not in status.content.decode()  # finished: polling stops
    page = researcher_client.get(reverse("classifier:run", args=[trained_run.pk])).content.decode()
    assert "Held-out evaluation" in page
    assert "Melanoma (mel)" in page
    curves = researcher_client.get(reverse("classifier:run-curves", args=[trained_run.pk]))
    assert curves["Content-Type"] == "image/svg+xml"
    assert curves.content.startswith(b"<?xml")
    index = researcher_client.get(reverse("classifier:index")).content.decode()
    assert "shown" in index

    import numpy as np

    upload = SimpleUploadedFile("lesion.jpg", class_jpeg(4, np.random.default_rng(1)), "image/jpeg")
    response = researcher_client.post(
        reverse("classifier:try"),
        {"run": trained_run.pk, "image": upload, "age": "55", "sex": "female", "site": "back"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "seven probabilities" in text
    assert text.count("%</td>") == 7

    api = researcher_client.post(
        f"/api/classifier/runs/{trained_run.pk}/try/",
        {"image": SimpleUploadedFile("x.jpg", class_jpeg(0, np.random.default_rng(2))), "age": 40},
    )
    assert api.status_code == 200, api.content
    body = api.json()
    assert set(body["probabilities"]) == {"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"}
    assert sum(body["probabilities"].values()) == pytest.approx(1.0)
    assert body["predicted"] == max(body["probabilities"], key=body["probabilities"].get)
    refused = researcher_client.post(
        f"/api/classifier/runs/{trained_run.pk}/try/",
        {"image": SimpleUploadedFile("x.jpg", b"not an image")},
    )
    assert refused.status_code == 400
