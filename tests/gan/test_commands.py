"""The train_gan, generate and evaluate_gan commands."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from core.models import JobStatus
from gan.models import GanRun, GeneratedImage

pytestmark = pytest.mark.django_db


def test_train_gan_then_generate_from_the_command_line(real_dataset: Any) -> None:
    out = io.StringIO()
    call_command(
        "train_gan",
        "--dataset", real_dataset.name,
        "--final-size", "8",
        "--preset", "cpu-demo",
        "--images-per-phase", "64",
        "--gallery-per-class", "1",
        stdout=out,
    )  # fmt: skip
    run = GanRun.objects.get()
    assert run.status == JobStatus.SUCCEEDED
    assert run.total_images == 64 + 128
    assert run.generated.count() == 7
    assert "succeeded" in out.getvalue()

    call_command("generate", "--run", str(run.pk), "--n", "4", "--diagnosis", "df", stdout=out)
    assert GeneratedImage.objects.filter(run=run, diagnosis="df").count() == 5


def test_the_commands_name_what_is_wrong(real_dataset: Any) -> None:
    with pytest.raises(CommandError, match="no data set named 'nope'"):
        call_command("train_gan", "--dataset", "nope")
    with pytest.raises(CommandError, match="power of two"):
        call_command("train_gan", "--dataset", real_dataset.name, "--final-size", "48")
    with pytest.raises(CommandError, match="no GAN run 999"):
        call_command("generate", "--run", "999")
    with pytest.raises(CommandError, match="no GAN run 999"):
        call_command("evaluate_gan", "--run", "999", "--classifier-run", "1")
