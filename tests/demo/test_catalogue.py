"""The demo's catalogue step renders, imports and splits, and a second run changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from demo.options import DemoOptions
from demo.steps import catalogue as demo
from lesions.models import Dataset, Image

pytestmark = pytest.mark.django_db


def test_the_demo_step_builds_a_split_data_set_and_is_idempotent(tmp_path: Path) -> None:
    options = DemoOptions(images=40, seed=0, data_dir=tmp_path, password="")
    out = Console(file=io.StringIO(), width=120)
    demo.setup(options=options, out=out)
    dataset = Dataset.objects.get(name=demo.DATASET)
    images = Image.objects.filter(dataset=dataset)
    assert 35 <= images.count() <= 40
    assert not images.filter(partition=None).exists()
    # The stand-ins play the part of the photographs: the GAN trains on them, studies use them.
    assert not dataset.is_synthetic
    before = list(images.values_list("pk", "public_id", "partition", "fold"))
    rendered = sorted((tmp_path / "standin").rglob("*.jpg"))
    mtimes = [p.stat().st_mtime_ns for p in rendered]

    demo.setup(options=options, out=out)
    assert list(images.values_list("pk", "public_id", "partition", "fold")) == before
    assert [p.stat().st_mtime_ns for p in rendered] == mtimes
    assert "0 images stored" in out.file.getvalue()  # type: ignore[attr-defined]
