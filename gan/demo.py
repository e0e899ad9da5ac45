"""Demo part of the gan app: a small GAN on the stand-in images, queued on the gpu queue."""

from __future__ import annotations

from django.db import transaction
from rich.console import Console

from core.demo import DemoOptions
from core.models import JobStatus
from gan.models import GanRun, Preset
from gan.services import gan_run_create
from lesions.models import Dataset

DATASET = "ham10000-standin"
RUN_NAME = "demo-cpu-32px"


def setup(*, options: DemoOptions, out: Console) -> None:
    dataset = Dataset.objects.filter(name=DATASET).first()
    if dataset is None:
        out.print(f"[yellow]No data set {DATASET!r}: the GAN demo is skipped.")
        return
    run = GanRun.objects.filter(name=RUN_NAME).first()
    if run is None:
        run = gan_run_create(
            dataset=dataset,
            name=RUN_NAME,
            preset_name=Preset.CPU_DEMO,
            final_size=32,
            gallery_per_class=8,
            overrides={"seed": options.seed},
        )
    elif run.status in (JobStatus.SUCCEEDED, JobStatus.RUNNING):
        out.print(f"GAN run {run.pk} ({run.name}) is {run.status}: /gan/runs/{run.pk}/")
        return
    from gan.tasks import train_gan_run

    run_id = run.pk
    transaction.on_commit(lambda: train_gan_run.delay(run_id=run_id))
    out.print(
        f"GAN run {run_id} queued (cpu-demo preset, 32x32, {run.total_images:,} images): "
        f"its gallery appears at /gan/runs/{run_id}/ when it is done"
    )
