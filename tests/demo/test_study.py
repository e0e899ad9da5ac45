"""The contests step of the demo: the paper's study, links, simulated GPs; safe to run again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from classifier.models import Experiment
from contests.models import Participant, Reading, Study, StudyStatus
from demo.options import DemoOptions
from demo.steps import study as demo
from demo.tasks import demo_finish_hint_phase
from lesions.models import Image
from tests.contests.factories import TrainingRunFactory, predict
from tests.contests.researcher_catalogue import held_out_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued_hint_jobs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, int]]:
    """The background jobs the demo queues for a waiting AI phase, kept instead of sent."""
    queued: list[dict[str, int]] = []
    monkeypatch.setattr(demo_finish_hint_phase, "delay", lambda **kwargs: queued.append(kwargs))
    return queued


@pytest.fixture
def small_demo(
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    queued_hint_jobs: list[dict[str, int]],
) -> DemoOptions:
    settings.VAR_DIR = tmp_path
    # 22 and 19 readers over 233 cases take a minute; the rules are the same with 3 and 2.
    monkeypatch.setattr(demo, "UNTIMED_READERS", 3)
    monkeypatch.setattr(demo, "TIMED_READERS", 2)
    return DemoOptions(images=100, seed=0, data_dir=tmp_path, password="")


def _run(options: DemoOptions) -> str:
    console = Console(record=True, width=200)
    demo.setup(options=options, out=console)
    return console.export_text()


def _readers(study: Study, order: int) -> int:
    phase = study.phases.get(order=order)
    return (
        Participant.objects.filter(readings__case__phase=phase, is_simulated=True)
        .distinct()
        .count()
    )


def test_the_demo_builds_the_paper_study_with_links_and_simulated_gps(
    small_demo: DemoOptions,
) -> None:
    dataset = held_out_catalogue(name=demo.DATASET, per_class=5)
    predict(TrainingRunFactory(name="demo-model"), list(Image.objects.filter(dataset=dataset)))
    output = _run(small_demo)
    study = Study.objects.get(title=demo.TITLE)
    assert study.status == StudyStatus.OPEN
    # 35 held-out lesions: the paper's 163/35/35 scaled to fit, no lesion twice.
    sizes = [phase.cases.count() for phase in study.phases.order_by("order")]
    assert sizes == [22, 5, 5]
    assert "scaled" in output
    links = (small_demo.data_dir / "demo-links.txt").read_text().splitlines()
    assert links[0] == f"# study {study.pk}"
    assert len(links[1:]) == 3
    assert all(link.startswith("http://127.0.0.1:8000/take/i/") for link in links[1:])
    assert [_readers(study, order) for order in (1, 2, 3)] == [3, 2, 2]
    assert Participant.objects.filter(is_simulated=False).count() == 0

    # Again: nothing new, the same links.
    _run(small_demo)
    assert Study.objects.count() == 1
    assert (small_demo.data_dir / "demo-links.txt").read_text().splitlines() == links
    assert Participant.objects.count() == 5


def test_the_ai_phase_waits_for_its_model_and_a_background_job_picks_it_up_later(
    small_demo: DemoOptions, queued_hint_jobs: list[dict[str, int]]
) -> None:
    dataset = held_out_catalogue(name=demo.DATASET, per_class=5)
    run = TrainingRunFactory(name="still-training")
    output = _run(small_demo)
    # No model has predictions and none is being trained on the data set: nothing to show yet.
    assert "study not built" in output
    assert not Study.objects.exists()

    # A run being trained on the stand-in images, its predictions not written yet.
    experiment = Experiment.objects.create(name="demo", dataset=dataset, architecture="resnet34")
    run.experiment, run.fold = experiment, 0
    run.save()
    output = _run(small_demo)
    study = Study.objects.get()
    hinted = study.phases.get(order=3)
    assert "waiting for still-training" in output
    assert [_readers(study, order) for order in (1, 2, 3)] == [3, 2, 0]
    assert queued_hint_jobs == [{"study_id": study.pk, "seed": small_demo.seed}]
    assert demo.finish_hint_phase(study=study, seed=0, out=Console(quiet=True)) is False

    predict(run, list(Image.objects.filter(dataset=dataset)))
    assert demo.finish_hint_phase(study=study, seed=0, out=Console(quiet=True)) is True
    assert [_readers(study, order) for order in (1, 2, 3)] == [3, 2, 2]
    assert Participant.objects.count() == 5
    assert Reading.objects.filter(case__phase=hinted).exclude(hint=None).count() == 10
    # The demo run again, or the job delivered twice, adds nobody.
    _run(small_demo)
    assert demo.finish_hint_phase(study=study, seed=0, out=Console(quiet=True)) is True
    assert Participant.objects.count() == 5


def test_a_waiting_ai_phase_moves_to_a_model_that_has_predicted_its_images(
    small_demo: DemoOptions,
) -> None:
    dataset = held_out_catalogue(name=demo.DATASET, per_class=5)
    experiment = Experiment.objects.create(name="grid", dataset=dataset, architecture="resnet34")
    TrainingRunFactory(name="fold-0", experiment=experiment, fold=0)
    _run(small_demo)
    hinted = Study.objects.get().phases.get(order=3)
    assert hinted.hint_run.name == "fold-0"
    # Another run of the grid is the one that predicts the held-out images.
    other = TrainingRunFactory(name="fold-1", experiment=experiment, fold=1)
    predict(other, list(Image.objects.filter(dataset=dataset)))
    output = _run(small_demo)
    hinted.refresh_from_db()
    assert hinted.hint_run == other
    assert "hints now from fold-1" in output
    assert Reading.objects.filter(case__phase=hinted).exclude(hint=None).count() == 10
