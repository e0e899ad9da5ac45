"""The researcher pages: run list, gallery with live progress, grids, images and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gan.models import GanRun
from gan.services import gan_run_train
from lesions.codes import DIAGNOSES

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(make_run: Callable[..., GanRun]) -> GanRun:
    return gan_run_train(run=make_run(name="tiny"))


def test_the_gallery_shows_images_of_all_seven_codes_with_clinical_data(
    researcher_client: Client, trained: GanRun
) -> None:
    page = researcher_client.get(reverse("gan:run", args=[trained.pk])).content.decode()
    for code in DIAGNOSES:
        assert f'alt="{code}"' in page
    for item in trained.generated.all():
        assert reverse("gan:image", args=[item.pk]) in page
    assert "65 · female · face" in page  # the clinical data of nv, drawn from the real nv images
    for name in trained.grids:
        assert reverse("gan:grid", args=[trained.pk, name]) in page
    assert reverse("gan:losses", args=[trained.pk]) in page


def test_grids_images_and_loss_curves_are_served_to_researchers(
    researcher_client: Client, trained: GanRun
) -> None:
    grid = researcher_client.get(reverse("gan:grid", args=[trained.pk, trained.grids[-1]]))
    assert grid.status_code == 200
    assert b"".join(grid.streaming_content).startswith(b"\x89PNG")
    item = trained.generated.first()
    image = researcher_client.get(reverse("gan:image", args=[item.pk]))
    assert b"".join(image.streaming_content).startswith(b"\xff\xd8")
    plot = researcher_client.get(reverse("gan:losses", args=[trained.pk]))
    assert plot.content.startswith(b"\x89PNG")
    # only names the run recorded: no path walks out of the run's folder
    missing = researcher_client.get(reverse("gan:grid", args=[trained.pk, "checkpoint.pt"]))
    assert missing.status_code == 404


def test_a_running_job_polls_its_status_and_a_finished_one_stops(
    researcher_client: Client, make_run: Callable[..., GanRun]
) -> None:
    run = make_run(name="waiting")
    status = reverse("gan:status", args=[run.pk])
    assert f'hx-get="{status}"' in researcher_client.get(status).content.decode()
    finished = gan_run_train(run=run)
    assert 'hx-get="' not in researcher_client.get(status).content.decode()
    assert (
        "phase0_4px.png"
        in researcher_client.get(reverse("gan:run", args=[finished.pk])).content.decode()
    )


def test_the_pages_and_the_api_are_closed_to_non_researchers(
    client: Client, django_user_model: Any, trained: GanRun
) -> None:
    user = django_user_model.objects.create_user(username="gp", password="a-long-passphrase-9")
    client.force_login(user)
    item = trained.generated.first()
    for url in (
        reverse("gan:run", args=[trained.pk]),
        reverse("gan:image", args=[item.pk]),
        reverse("gan:grid", args=[trained.pk, trained.grids[0]]),
        "/api/gan/runs/",
        "/api/gan/images/",
    ):
        assert client.get(url).status_code == 403, url


def test_the_api_lists_runs_and_their_images(researcher_client: Client, trained: GanRun) -> None:
    runs = researcher_client.get("/api/gan/runs/").json()["results"]
    assert [r["name"] for r in runs] == ["tiny"]
    assert runs[0]["status"] == "succeeded"
    images = researcher_client.get(f"/api/gan/images/?run={trained.pk}").json()["results"]
    assert len(images) == 14
    assert {i["diagnosis"] for i in images} == set(DIAGNOSES)
    assert all("age" in i and "sex" in i for i in images)


def test_a_researcher_queues_a_run_from_the_page(
    researcher_client: Client,
    real_dataset: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from gan import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks.train_gan_run, "delay", lambda run_id: queued.append(run_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = researcher_client.post(
            reverse("gan:index"),
            {"dataset": real_dataset.pk, "preset": "cpu-demo", "final_size": 32},
        )
    run = GanRun.objects.get()
    assert queued == [run.pk]
    assert response.status_code == 302
    assert response["Location"] == reverse("gan:run", args=[run.pk])
    assert run.final_size == 32
    assert run.preset == "cpu-demo"
