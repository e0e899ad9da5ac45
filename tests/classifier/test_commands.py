from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from classifier.models import Evaluation, Experiment, TrainingRun
from tests.classifier.conftest import MakeDataset
from tests.lesions.factories import DatasetFactory

pytestmark = pytest.mark.django_db

ARCHITECTURES = {
    "resnet34", "resnet50", "resnet101", "seresnet50", "vgg16", "vgg19", "efficientnet_b5",
    "mobilenetv2_100",
}  # fmt: skip


def test_run_grid_dry_run_lists_exactly_the_papers_160_runs_and_creates_nothing() -> None:
    out = io.StringIO()
    call_command("run_grid", "--dataset", "ham10000", "--preset", "paper", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    rows = [line.split("\t") for line in lines[:-1]]
    assert lines[-1].startswith("160 runs")
    assert len(rows) == 160
    assert len({row[0] for row in rows}) == 160
    configurations = {(row[1], row[2], row[3], row[4]) for row in rows}
    assert configurations == {
        (a, r, c, f"fold {k}")
        for a in ARCHITECTURES
        for r in ("low", "high")
        for c in ("image-only", "clinical")
        for k in range(5)
    }
    assert not Experiment.objects.exists()


def test_run_grid_queues_every_run_after_the_commit(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    DatasetFactory(name="ham", split_folds=5)
    sent: list[int] = []
    monkeypatch.setattr("classifier.tasks.train_run.delay", lambda run_id: sent.append(run_id))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_grid", "--dataset", "ham", stdout=io.StringIO())
    assert sorted(sent) == sorted(TrainingRun.objects.values_list("pk", flat=True))
    assert len(sent) == 160


def test_run_grid_names_a_missing_data_set() -> None:
    with pytest.raises(CommandError, match="nope"):
        call_command("run_grid", "--dataset", "nope")


@pytest.mark.slow
def test_train_with_a_preset_trains_each_fold_and_prints_the_held_out_numbers(
    make_dataset: MakeDataset,
) -> None:
    make_dataset(name="toy", per_class=4, test_per_class=1, folds=2)
    out = io.StringIO()
    call_command(
        "train", "--dataset", "toy", "--preset", "cpu-demo", "--architecture", "test_efficientnet",
        "--epochs", "1", "--fold", "0", stdout=out,
    )  # fmt: skip
    run = TrainingRun.objects.get()
    assert run.status == "succeeded", run.error
    evaluation = Evaluation.objects.get(run=run)
    assert f"balanced accuracy {evaluation.balanced_accuracy:.4f}" in out.getvalue()
    out = io.StringIO()
    call_command("evaluate", run.name, stdout=out)
    assert "error rate" in out.getvalue()
    assert "mel" in out.getvalue()
