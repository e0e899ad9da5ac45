"""Demo part of the gan app: a small GAN on the stand-in images, queued on the gpu queue."""

from __future__ import annotations

from rich.console import Console

from core.models import JobStatus
from demo.options import DATASET, DemoOptions
from gan.models import GanRun, Preset
from gan.services import gan_run_queue
from lesions.models import Dataset

RUN_NAME = "demo-cpu-32px"


def setup(*, options: DemoOptions, out: Console) -> None:
    dataset = Dataset.objects.filter(name=DATASET).first()
    if dataset is None:
        out.print(f"[yellow]No data set {DATASET!r}: the GAN demo is skipped.")
        return
    existing = GanRun.objects.filter(name=RUN_NAME).first()
    if existing is not None and existing.status in (JobStatus.SUCCEEDED, JobStatus.RUNNING):
        pk = existing.pk
        out.print(f"GAN run {pk} ({existing.name}) is {existing.status}: /gan/runs/{pk}/")
        return
    # A run that failed or never started is queued again; otherwise a new one.
    run = gan_run_queue(
        run=existing,
        dataset=dataset,
        name=RUN_NAME,
        preset_name=Preset.CPU_DEMO,
        final_size=32,
        gallery_per_class=8,
        overrides={"seed": options.seed},
    )
    out.print(
        f"GAN run {run.pk} queued (cpu-demo preset, 32x32, {run.total_images:,} images): "
        f"its gallery appears at /gan/runs/{run.pk}/ when it is done"
    )
