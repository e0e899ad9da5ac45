"""Media goes through Django's storage API everywhere: the key flows run with the media store
swapped for ``InMemoryStorage``, where a file's path names nothing on disk. What
works here works on a shared filesystem (NFS) and on S3-compatible storage alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import InMemoryStorage, default_storage
from django.test import Client
from django.urls import reverse

from analysis.models import ReportJob
from analysis.services import report_job_run
from classifier import services as classifier_services
from classifier.models import Evaluation, Prediction, PredictionJob
from classifier.services import jobs as classifier_jobs
from core.models import JobStatus
from core.storage import storage_fetch, storage_put, work_dir
from gan.models import GanRun
from gan.services import gan_images_generate, gan_run_train
from lesions.models import Dataset, Image
from lesions.services import dataset_import, dataset_split
from lesions.standin.dataset import PARTS, SHIPPED_METADATA, write_standin_set
from tests.analysis.conftest import StudySetup, study_setup
from tests.gan.conftest import make_run, real_dataset

__all__ = ["make_run", "real_dataset", "study_setup"]  # fixtures of other apps, used here


@pytest.fixture(autouse=True)
def in_memory_media(settings: Any, tmp_path: Path) -> Any:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "no-media-here"
    yield
    assert isinstance(default_storage._wrapped, InMemoryStorage)
    assert not settings.MEDIA_ROOT.exists()  # nothing went around the storage API


def test_the_helpers_copy_in_and_out_and_replace_under_the_same_name(tmp_path: Path) -> None:
    local = tmp_path / "a.bin"
    local.write_bytes(b"first")
    assert storage_put(local, "x/a.bin") == "x/a.bin"
    local.write_bytes(b"second")
    assert storage_put(local, "x/a.bin") == "x/a.bin"  # replaced, not renamed
    back = work_dir("t") / "a.bin"
    assert storage_fetch("x/a.bin", back)
    assert back.read_bytes() == b"second"
    assert not storage_fetch("x/none.bin", back)


@pytest.mark.slow
@pytest.mark.django_db
def test_import_training_with_a_resume_and_predictions_need_no_filesystem_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "standin"
    write_standin_set(metadata=SHIPPED_METADATA, out=folder, limit=60, processes=1)
    result = dataset_import(
        metadata=folder / "HAM10000_metadata.csv",
        image_dirs=[folder / part for part in PARTS],
        dataset_name="standin",
        skip_invalid=True,
    )
    assert result.created >= 50
    image = Image.objects.first()
    assert image is not None
    assert default_storage.exists(image.file.name)
    assert not Path(image.file.path).exists()  # a path names nothing: only the API reaches it
    dataset = Dataset.objects.get(name="standin")
    dataset_split(dataset=dataset, test_size=0.2, folds=2)
    experiment = classifier_services.experiment_create(
        name="in-memory", dataset=dataset, architecture="test_efficientnet", folds=[0],
        epochs=2, batch_size=16, lr=3e-3, input_width=32, input_height=24,
    )  # fmt: skip
    run = experiment.runs.get()

    store = classifier_jobs._checkpoint_store

    def dies_after_the_first_epoch(job: Any, local: Path, state: Any) -> None:
        store(job, local, state)
        raise KeyboardInterrupt  # the worker is stopped once epoch 1 is stored

    monkeypatch.setattr(classifier_jobs, "_checkpoint_store", dies_after_the_first_epoch)
    with pytest.raises(KeyboardInterrupt):
        classifier_services.run_train_and_evaluate(run=run)
    run.refresh_from_db()
    assert run.checkpoint == f"classifier/runs/{run.pk}/epoch-0001/checkpoint.pt"
    assert [h["epoch"] for h in run.history] == [1]
    monkeypatch.setattr(classifier_jobs, "_checkpoint_store", store)

    classifier_services.run_train_and_evaluate(run=run)  # resumes from the stored epoch 1
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCEEDED, run.error
    assert [h["epoch"] for h in run.history] == [1, 2]
    assert run.checkpoint == f"classifier/runs/{run.pk}/epoch-0002/checkpoint.pt"
    assert default_storage.exists(run.checkpoint)
    assert not default_storage.exists(f"classifier/runs/{run.pk}/epoch-0001/checkpoint.pt")
    assert Evaluation.objects.filter(run=run).exists()

    held_out = list(Image.objects.filter(dataset=dataset, partition="test")[:3])
    job = classifier_services.prediction_job_create(
        run=run, image_ids=[i.pk for i in held_out], queue=False
    )
    classifier_services.prediction_job_run(job=job)
    assert PredictionJob.objects.get(pk=job.pk).n_written == 3
    assert Prediction.objects.filter(run=run, image__in=held_out).count() == 3


@pytest.mark.django_db
def test_a_report_job_stores_its_files_and_serves_them(
    study_setup: StudySetup, researcher_client: Client
) -> None:
    job = ReportJob.objects.create(study=study_setup.study, include_simulated=True)
    report_job_run(job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert "index.html" in job.files
    assert all(default_storage.exists(f"{job.folder}/{name}") for name in job.files)
    page = researcher_client.get(reverse("analysis:report_file", args=[job.pk, "index.html"]))
    assert page.status_code == 200
    assert b"<html" in b"".join(page.streaming_content).lower()


@pytest.mark.django_db
def test_gan_training_grids_and_generated_images_go_through_the_store(
    make_run: Callable[..., GanRun], researcher_client: Client
) -> None:
    run = gan_run_train(run=make_run(gallery_per_class=0))
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCEEDED, run.error
    assert default_storage.exists(run.checkpoint)
    grid = researcher_client.get(reverse("gan:grid", args=[run.pk, run.grids[-1]]))
    assert grid.status_code == 200
    assert b"".join(grid.streaming_content).startswith(b"\x89PNG")
    made = gan_images_generate(run=run, n=3, diagnosis="mel")
    assert all(default_storage.exists(m.image.file.name) for m in made)
    picture = researcher_client.get(reverse("gan:image", args=[made[0].pk]))
    assert picture.status_code == 200
    assert b"".join(picture.streaming_content).startswith(b"\xff\xd8")
