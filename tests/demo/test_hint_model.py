from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from classifier.models import Experiment, TrainingRun
from demo.options import DemoOptions
from demo.steps import hint_model as demo
from tests.lesions.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def options(tmp_path: Path) -> DemoOptions:
    return DemoOptions(images=100, seed=0, data_dir=tmp_path, password="")


def test_the_demo_queues_the_hint_model_once_and_again_only_while_unfinished(
    tmp_path: Path, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    DatasetFactory(name="ham10000-standin", split_folds=5)
    sent: list[int] = []
    monkeypatch.setattr("classifier.tasks.train_run.delay", lambda run_id: sent.append(run_id))
    out = Console(file=None, quiet=True)
    with django_capture_on_commit_callbacks(execute=True):
        demo.setup(options=options(tmp_path), out=out)
    run = TrainingRun.objects.get()
    experiment = Experiment.objects.get()
    assert experiment.name == "demo-hint-model"
    assert experiment.preset == "cpu-demo"
    assert experiment.resolution == "low"
    assert not experiment.use_clinical  # the paper's hint model used no clinical data
    assert sent == [run.pk]
    run.status = "succeeded"
    run.save()
    with django_capture_on_commit_callbacks(execute=True):
        demo.setup(options=options(tmp_path), out=out)
    assert sent == [run.pk]
    assert TrainingRun.objects.count() == 1


def test_the_demo_does_nothing_without_the_stand_in_data_set(tmp_path: Path) -> None:
    demo.setup(options=options(tmp_path), out=Console(quiet=True))
    assert not Experiment.objects.exists()
