"""Training a run, generating synthetic images and storing evaluations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from django.core.files.storage import default_storage

from core.models import JobStatus
from gan import tasks
from gan.models import GanEvaluation, GanRun, GeneratedImage
from gan.selectors import real_images, synthetic_image_ids
from gan.services import (
    gan_images_generate,
    gan_run_create,
    gan_run_evaluate,
    gan_run_queue,
    gan_run_train,
)
from gan.training import Trainer
from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image
from tests.gan.conftest import CLINICAL
from tests.lesions.factories import DatasetFactory

pytestmark = pytest.mark.django_db

MakeRun = Callable[..., GanRun]


def test_training_records_progress_grids_and_a_gallery_of_every_diagnosis(
    make_run: MakeRun,
) -> None:
    run = gan_run_train(run=make_run())
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCEEDED
    assert run.progress == 1.0
    assert run.images_seen == run.total_images == 32 + 64
    assert run.grids == ["phase0_4px.png", "phase1_8px.png"]
    assert run.history
    assert run.history[-1]["images"] == 96
    assert default_storage.exists(run.checkpoint)
    gallery = run.generated.all()
    assert sorted(g.diagnosis for g in gallery) == sorted(DIAGNOSES * 2)


def test_only_real_training_images_are_learnt_from(real_dataset: Dataset) -> None:
    data = real_images(dataset=real_dataset, size=8)
    assert len(data.images) == 14  # the held-out mel image is left out
    assert data.images.shape == (14, 8, 8, 3)
    assert 99.0 not in [c.age for c in data.clinical]
    assert sorted(data.labels.tolist()) == sorted(list(range(7)) * 2)


def test_generate_stores_images_with_diagnosis_and_clinical_data_in_a_synthetic_dataset(
    make_run: MakeRun, real_dataset: Dataset
) -> None:
    run = gan_run_train(run=make_run(gallery_per_class=0))
    real_before = Image.objects.filter(dataset=real_dataset).count()

    made = gan_images_generate(run=run, n=5, diagnosis="mel")

    assert len(made) == 5
    images = Image.objects.filter(gan_origin__in=made).select_related("lesion", "dataset")
    assert images.count() == 5
    for image in images:
        assert image.dataset.is_synthetic
        assert image.dataset != real_dataset
        assert image.is_synthetic
        assert image.source_run == f"gan:{run.pk}"
        assert image.lesion.diagnosis == "mel"
        assert image.partition is None  # never in a real split
        assert (image.age, image.sex, image.localization) == CLINICAL["mel"]
        assert (image.width, image.height) == (8, 8)
        assert Path(image.file.path).is_file()
    assert Image.objects.filter(dataset=real_dataset).count() == real_before
    # without a diagnosis, the images are spread over the seven
    spread = gan_images_generate(run=run, n=14)
    assert sorted(g.diagnosis for g in spread) == sorted(DIAGNOSES * 2)
    assert len({g.image.image_id for g in [*made, *spread]}) == 19


def test_generate_refuses_an_unknown_diagnosis_or_an_untrained_run(make_run: MakeRun) -> None:
    untrained = make_run(name="untrained")
    with pytest.raises(ValueError, match="no checkpoint"):
        gan_images_generate(run=untrained, n=3)
    run = gan_run_train(run=make_run(gallery_per_class=0))
    with pytest.raises(ValueError, match="unknown diagnosis 'melanoma'"):
        gan_images_generate(run=run, n=3, diagnosis="melanoma")
    assert not GeneratedImage.objects.exists()


def test_a_gan_is_not_trained_on_a_synthetic_data_set(db: None) -> None:
    synthetic = DatasetFactory(name="made-up", is_synthetic=True)
    with pytest.raises(ValueError, match="synthetic"):
        gan_run_create(dataset=synthetic)


def test_queueing_creates_the_run_and_sends_it_to_the_gpu_queue_after_the_commit(
    real_dataset: Dataset, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(tasks.train_gan_run, "delay", lambda run_id: queued.append(run_id))
    with django_capture_on_commit_callbacks() as callbacks:
        run = gan_run_queue(dataset=real_dataset, name="queued", final_size=8)
    assert queued == []  # not before the commit
    for callback in callbacks:
        callback()
    assert queued == [run.pk]
    assert (run.name, run.final_size, run.status) == ("queued", 8, JobStatus.PENDING)


def test_queueing_an_existing_run_creates_nothing(
    make_run: MakeRun, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    run = make_run(name="again")
    queued: list[int] = []
    monkeypatch.setattr(tasks.train_gan_run, "delay", lambda run_id: queued.append(run_id))
    with django_capture_on_commit_callbacks(execute=True):
        assert gan_run_queue(run=run) == run
    assert queued == [run.pk]
    assert GanRun.objects.count() == 1


def test_queueing_needs_a_run_or_a_real_data_set(db: None) -> None:
    with pytest.raises(ValueError, match="existing run, or name the data set"):
        gan_run_queue()
    with pytest.raises(ValueError, match="synthetic"):
        gan_run_queue(dataset=DatasetFactory(name="made-up", is_synthetic=True))
    assert not GanRun.objects.exists()


def test_a_failed_training_records_the_error_and_its_traceback(
    make_run: MakeRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run()

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("out of memory")

    monkeypatch.setattr("gan.services.real_images", broken)
    with pytest.raises(RuntimeError, match="out of memory"):
        gan_run_train(run=run)
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED
    assert run.error.startswith("RuntimeError: out of memory\n")
    assert "Traceback" in run.error
    assert run.attempts == 1


def test_a_run_that_died_resumes_from_its_checkpoint(
    make_run: MakeRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run()
    train = Trainer.train

    def dies_after_five_steps(trainer: Trainer, **kwargs: Any) -> bool:
        train(trainer, max_steps=5)  # checkpointed on the way out, as after a periodic save
        raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "train", dies_after_five_steps)
    with pytest.raises(KeyboardInterrupt):
        gan_run_train(run=run)
    run.refresh_from_db()
    assert run.checkpoint.endswith("step-00000005/checkpoint.pt")
    assert run.status == JobStatus.RUNNING
    assert run.attempts == 0  # stopped by a signal: not an attempt that failed
    monkeypatch.setattr(Trainer, "train", train)
    load = Trainer.load_checkpoint
    resumed: list[int] = []

    def load_and_tell(trainer: Trainer, path: Path | None = None) -> bool:
        found = load(trainer, path)
        resumed.append(trainer.step)
        return found

    monkeypatch.setattr(Trainer, "load_checkpoint", load_and_tell)
    run = gan_run_train(run=run)
    assert resumed == [5]  # from the stored checkpoint, not from scratch
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCEEDED
    assert run.attempts == 1
    # the history starts where the first attempt began, without a second step 1
    steps = [point["step"] for point in run.history]
    assert steps == list(range(1, 13))


def test_synthetic_images_per_class_are_offered_to_a_classifier(
    make_run: MakeRun, real_dataset: Dataset
) -> None:
    run = gan_run_train(run=make_run(gallery_per_class=3))
    ids = synthetic_image_ids(dataset=real_dataset, per_class=2)
    assert set(ids) == set(DIAGNOSES)
    for code, image_ids in ids.items():
        assert len(image_ids) == 2
        assert all(i.lesion.diagnosis == code for i in Image.objects.filter(pk__in=image_ids))
    assert synthetic_image_ids(dataset=real_dataset, per_class=0) == {c: [] for c in DIAGNOSES}
    assert run.generated.count() == 21


class MeanColourJudge(torch.nn.Module):
    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = images.float().mean((2, 3)) / 255
        logits = torch.zeros(len(images), 7)
        logits[:, 4] = 1.0  # calls everything a melanoma
        return logits, torch.cat([features, features**2], dim=1)


def test_an_evaluation_stores_the_label_check_and_the_feature_distances(
    make_run: MakeRun,
) -> None:
    run = gan_run_train(run=make_run(gallery_per_class=0))
    evaluation = gan_run_evaluate(run=run, judge=MeanColourJudge(), per_class=3)
    assert GanEvaluation.objects.get() == evaluation
    assert evaluation.n_images == 40
    confusion = np.array(evaluation.confusion)
    assert confusion[:, 4].sum() == 40
    assert confusion.sum(axis=1).tolist() == [6, 6, 6, 6, 6, 5, 5]
    assert evaluation.accuracy == pytest.approx(6 / 40)
    assert evaluation.fid["overall"] >= 0
    assert 0 <= evaluation.precision <= 1
    assert evaluation.n_real == 14


def test_the_run_row_shows_live_progress_while_training(make_run: MakeRun) -> None:
    run = make_run()
    seen: list[tuple[str, int, int, str]] = []

    def snapshot(_: object) -> None:
        row = GanRun.objects.get(pk=run.pk)
        seen.append((row.status, row.phase, row.images_seen, row.message))

    gan_run_train(run=run, on_progress=snapshot)
    running = [s for s in seen if s[0] == JobStatus.RUNNING and s[2] > 0]
    assert running, seen
    assert any(s[3].startswith("phase 1/2 4px, alpha 1.00, 32 images; critic") for s in running)
    assert [s[2] for s in running] == sorted(s[2] for s in running)
