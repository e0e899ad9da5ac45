"""Writes of the gan app: create and train a run, generate synthetic images, store evaluations."""

from __future__ import annotations

import hashlib
import io
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image as PILImage

from core.services import JobRun, job_queue, job_running
from core.storage import storage_cached, storage_delete, storage_fetch, storage_put, work_dir
from gan.clinical import ClinicalSampler
from gan.models import GanEvaluation, GanRun, GeneratedImage, Preset
from gan.selectors import grid_name, real_images, run_storage_folder, training_images_queryset
from gan.training import Progress, TrainConfig, Trainer, generate, load_generator, preset
from lesions.codes import DIAGNOSES, DIAGNOSIS_INDEX
from lesions.models import Dataset, Image, Lesion

# At most this many points of the loss history are kept on the run row for the page's curves.
HISTORY_POINTS = 400
# Seconds between progress writes: a GPU at 4x4 reports far more often than a page polls.
WRITE_EVERY_S = 2.0


def _device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@transaction.atomic
def gan_run_create(
    *,
    dataset: Dataset,
    name: str = "",
    preset_name: str = Preset.DEFAULT,
    final_size: int = 64,
    gallery_per_class: int = 8,
    overrides: dict[str, Any] | None = None,
) -> GanRun:
    if dataset.is_synthetic:
        raise ValueError(
            _("data set %(name)r is synthetic: train a GAN on real images") % {"name": dataset.name}
        )
    if not training_images_queryset(dataset=dataset).exists():
        raise ValueError(
            _("data set %(name)r has no real training images") % {"name": dataset.name}
        )
    config = preset(preset_name, final_size=final_size, **(overrides or {}))
    run = GanRun.objects.create(
        name=name or f"{dataset.name}-{preset_name}-{final_size}px-{int(time.time())}",
        dataset=dataset,
        preset=preset_name,
        final_size=final_size,
        config=config.to_dict(),
        gallery_per_class=gallery_per_class,
        total_images=config.total_images,
    )
    return run


@transaction.atomic
def gan_run_queue(
    *,
    run: GanRun | None = None,
    dataset: Dataset | None = None,
    name: str = "",
    preset_name: str = Preset.DEFAULT,
    final_size: int = 64,
    gallery_per_class: int = 8,
    overrides: dict[str, Any] | None = None,
) -> GanRun:
    """Queue a run's training on the gpu queue through the outbox: ``run`` as it is,
    or without one a new run on ``dataset``, made by ``gan_run_create`` from the other arguments
    (which refuses a synthetic data set or one without real training images: ValueError)."""
    if run is None:
        if dataset is None:
            raise ValueError("queue an existing run, or name the data set of a new one")
        run = gan_run_create(
            dataset=dataset,
            name=name,
            preset_name=preset_name,
            final_size=final_size,
            gallery_per_class=gallery_per_class,
            overrides=overrides,
        )
    job_queue(job=run)
    return run


def _thin(history: list[dict[str, float]]) -> list[dict[str, float]]:
    step = max(1, -(-len(history) // HISTORY_POINTS))
    return history[::step]


def _progress_message(progress: Progress, n_phases: int) -> str:
    losses = ", ".join(f"{k} {v:.3g}" for k, v in progress.losses.items())
    return (
        f"phase {progress.phase + 1}/{n_phases} {progress.resolution}px, "
        f"alpha {progress.alpha:.2f}, {progress.images_seen:,} images; {losses}"
    )


class _CheckpointStore:
    """Copies a training run's checkpoints and new sample grids to the media store as they are
    written, and records each on the row (only while the run's lease holds)."""

    def __init__(self, job: JobRun[GanRun], local: Path) -> None:
        self.job = job
        self.local = local
        self.stored_grids: set[str] = set()
        self.trainer: Trainer | None = None

    def __call__(self, checkpoint: Path) -> None:
        trainer, run = self.trainer, self.job.job
        if trainer is None:
            return
        for grid in trainer.grids:
            if grid not in self.stored_grids:
                storage_put(self.local / "grids" / grid, grid_name(run, grid))
                self.stored_grids.add(grid)
        # A new name per step: the row always names a whole checkpoint.
        name = f"{run_storage_folder(run)}/step-{trainer.step:08d}/checkpoint.pt"
        if name == run.checkpoint:
            return
        storage_put(checkpoint, name)
        previous = run.checkpoint
        self.job.update(checkpoint=name, grids=list(trainer.grids))
        storage_delete(previous)


def gan_run_train(
    *, run: GanRun, task_id: str = "", on_progress: Callable[[Progress], None] | None = None
) -> GanRun:
    """Train (or resume) a run to the end, writing its progress on the row, then fill its gallery.

    Safe to call again after a crash, on any worker: training resumes from the run's last stored
    checkpoint and the gallery is generated only once. Checkpoints and grids are written in this
    machine's work folder and copied to the media store as they come.
    """
    config = TrainConfig.from_dict(run.config)
    device = _device()
    with job_running(
        run, message="loading images", task_id=task_id, min_interval=WRITE_EVERY_S
    ) as job:
        job.update(device=str(device))
        data = real_images(dataset=run.dataset, size=config.net.final_size)
        local = work_dir("gan", f"run-{run.pk}")
        shutil.rmtree(local, ignore_errors=True)
        storage_fetch(run.checkpoint, local / "checkpoint.pt")
        store = _CheckpointStore(job, local)
        trainer = Trainer(
            config, data.images, data.labels, local, device=device, on_checkpoint=store
        )
        trainer.load_checkpoint()
        store.trainer = trainer
        store.stored_grids.update(trainer.grids)  # stored before the checkpoint that lists them

        def report(progress: Progress) -> None:
            if on_progress:
                on_progress(progress)
            message = _progress_message(progress, config.net.n_phases)
            # The end of a phase is always written: its grid and checkpoint are new.
            if job.progress(0.95 * progress.fraction, message, force=progress.phase_done):
                job.update(
                    phase=progress.phase,
                    resolution=progress.resolution,
                    alpha=progress.alpha,
                    images_seen=progress.images_seen,
                    losses=progress.losses,
                    history=_thin(trainer.history),
                )

        trainer.train(on_progress=report)
        job.update(
            phase=config.net.n_phases - 1,
            resolution=config.net.final_size,
            alpha=1.0,
            images_seen=trainer.images_seen,
            history=_thin(trainer.history),
            grids=list(trainer.grids),
        )
        shutil.rmtree(local, ignore_errors=True)
        run.refresh_from_db()
        missing = run.gallery_per_class * len(DIAGNOSES) - run.generated.count()
        if missing > 0:
            job.progress(0.97, "generating the gallery", force=True)
            gan_images_generate(run=run, n=missing, real=data.records())
        job.result = f"trained on {trainer.images_seen:,} images"
    return run


def _synthetic_dataset(run: GanRun) -> Dataset:
    dataset, _created = Dataset.objects.get_or_create(
        name=slugify(f"{run.dataset.name}-gan-{run.pk}")[:100],
        defaults={
            "title": f"Synthetic images of GAN run {run.name}",
            "source": f"gan:{run.pk}",
            "credit": f"Generated by a progressive InfoGAN trained on {run.dataset.name}",
            "is_synthetic": True,
        },
    )
    return dataset


def _jpeg(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    PILImage.fromarray(array).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


@transaction.atomic
def gan_images_generate(
    *,
    run: GanRun,
    n: int,
    diagnosis: str | None = None,
    seed: int | None = None,
    real: Sequence[tuple[str, Any]] | None = None,
) -> list[GeneratedImage]:
    """Generate ``n`` images (of ``diagnosis``, or spread evenly over the seven) into the run's
    synthetic data set, each with a Lesion and clinical data drawn from the real data."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if diagnosis is not None and diagnosis not in DIAGNOSIS_INDEX:
        raise ValueError(f"unknown diagnosis {diagnosis!r}; choose one of {', '.join(DIAGNOSES)}")
    if not run.checkpoint:
        raise ValueError(f"GAN run {run.pk} has no checkpoint yet")
    generator, config = load_generator(storage_cached(run.checkpoint))
    if real is None:
        real = real_images(dataset=run.dataset, size=config.net.final_size).records()
    sampler = ClinicalSampler(real)
    dataset = _synthetic_dataset(run)
    start = GeneratedImage.objects.filter(run=run).count()
    seed = run.pk * 1_000_003 + start if seed is None else seed
    codes = [diagnosis] * n if diagnosis else [DIAGNOSES[i % len(DIAGNOSES)] for i in range(n)]
    labels = np.array([DIAGNOSIS_INDEX[c] for c in codes])
    arrays, continuous = generate(generator, labels, seed=seed)
    rng = np.random.default_rng(seed)
    made = []
    for offset, (code, array, cont) in enumerate(zip(codes, arrays, continuous, strict=True)):
        clinical = sampler.sample(code, 1, rng)[0]
        name = f"GAN{run.pk}_{start + offset:07d}"
        data = _jpeg(array)
        lesion = Lesion.objects.create(dataset=dataset, lesion_id=name, diagnosis=code)
        image = Image(
            dataset=dataset,
            lesion=lesion,
            image_id=name,
            width=array.shape[1],
            height=array.shape[0],
            sha256=hashlib.sha256(data).hexdigest(),
            age=clinical.age,
            sex=clinical.sex,
            localization=clinical.localization,
            is_synthetic=True,
            source_run=run.source_tag,
        )
        image.file.save(f"{name}.jpg", ContentFile(data), save=False)
        image.save()
        made.append(
            GeneratedImage.objects.create(
                run=run, image=image, diagnosis=code, continuous=cont.tolist(), seed=seed
            )
        )
    return made


@transaction.atomic
def gan_evaluation_create(*, run: GanRun, result: dict[str, Any], **fields: Any) -> GanEvaluation:
    return GanEvaluation.objects.create(run=run, **result, **fields)


def gan_run_evaluate(
    *,
    run: GanRun,
    judge: Any,
    classifier_run: Any = None,
    n_label_check: int = 40,
    per_class: int = 50,
    seed: int = 12345,
) -> GanEvaluation:
    """The paper's label check on ``n_label_check`` images spread over the classes, and FID, KID,
    precision and recall against the run's real training images on ``per_class`` images per
    class. The evaluation images are generated for the purpose and not stored."""
    from gan.evaluation import evaluate

    if not run.checkpoint:
        raise ValueError(f"GAN run {run.pk} has no checkpoint yet")
    generator, config = load_generator(storage_cached(run.checkpoint))
    data = real_images(dataset=run.dataset, size=config.net.final_size)
    n_classes = len(DIAGNOSES)
    check_codes = np.arange(n_label_check) % n_classes
    fid_codes = np.repeat(np.arange(n_classes), per_class)
    codes = np.concatenate([check_codes, fid_codes])
    fakes, _labels = generate(generator, codes, seed=seed)
    result = evaluate(
        judge,
        fake=fakes,
        fake_codes=codes,
        real=data.images,
        real_labels=data.labels,
        n_label_check=n_label_check,
    )
    return gan_evaluation_create(run=run, result=result.to_dict(), classifier_run=classifier_run)
