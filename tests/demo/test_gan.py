"""The demo step: one cpu-demo GAN on the stand-in images, queued once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from demo.options import DemoOptions
from demo.steps import gan as demo
from gan import tasks
from gan.models import GanRun

pytestmark = pytest.mark.django_db


def options() -> DemoOptions:
    return DemoOptions(images=100, seed=0, data_dir=Path("unused"), password="")


def test_the_demo_queues_one_cpu_demo_gan_on_the_standin_images(
    real_dataset: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    real_dataset.name = demo.DATASET
    real_dataset.save()
    queued: list[int] = []
    monkeypatch.setattr(tasks.train_gan_run, "delay", lambda run_id: queued.append(run_id))
    out = Console(file=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        demo.setup(options=options(), out=out)
    run = GanRun.objects.get()
    assert queued == [run.pk]
    assert (run.preset, run.final_size, run.gallery_per_class) == ("cpu-demo", 32, 8)
    assert run.total_images == 2_500 + 3 * 5_000

    run.status = "succeeded"
    run.save()
    with django_capture_on_commit_callbacks(execute=True):
        demo.setup(options=options(), out=out)
    assert GanRun.objects.count() == 1
    assert queued == [run.pk]  # a finished run is not queued again


def test_without_the_standin_images_the_demo_step_says_so(db: None) -> None:
    out = Console(file=io.StringIO())
    demo.setup(options=options(), out=out)
    assert not GanRun.objects.exists()
    assert "skipped" in out.file.getvalue()
