"""A fleet of GPU-queue workers (CPU here) sharing the database, the broker and the media
store: a grid trained by two workers, their speed-up over one, and a worker killed mid-run
whose run another finishes from its checkpoint, with the same results as one worker's."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from classifier import services
from classifier.models import Evaluation, Experiment, Prediction, TrainingRun
from classifier.tasks import train_run
from core.models import JobStatus
from core.services import jobs_maintain
from lesions.models import Dataset
from lesions.services import dataset_import, dataset_split
from lesions.standin.dataset import PARTS, SHIPPED_METADATA, write_standin_set
from tests.worker import Fleet, route_to_worker

pytestmark = [pytest.mark.slow, pytest.mark.worker]

FOLDS = [0, 1, 2, 3]
EPOCHS = 4
# Seconds a worker's lease lives without a heartbeat: short, so the test sees a dead worker soon.
LEASE_S = 3.0


def standin_dataset(folder: Path) -> Dataset:
    write_standin_set(metadata=SHIPPED_METADATA, out=folder, limit=160, processes=1)
    dataset_import(
        metadata=folder / "HAM10000_metadata.csv",
        image_dirs=[folder / part for part in PARTS],
        dataset_name="fleet",
        skip_invalid=True,
    )
    dataset = Dataset.objects.get(name="fleet")
    dataset_split(dataset=dataset, test_size=0.17, folds=len(FOLDS), seed=0)
    return dataset


def grid(dataset: Dataset, name: str) -> Experiment:
    """Four cpu-demo runs (one per fold), queued through the outbox to the fleet's queue."""
    return services.experiment_create(
        name=name, dataset=dataset, preset="cpu-demo", folds=FOLDS, epochs=EPOCHS, queue=True
    )


def wait_until_trained(experiment: Experiment, fleet: Fleet, *, timeout: float) -> float:
    """Seconds until every run of ``experiment`` succeeded, requeueing as Celery beat would."""
    started = time.monotonic()
    while True:
        runs = list(experiment.runs.all())
        failed = [r for r in runs if r.status == JobStatus.FAILED]
        assert not failed, failed[0].error
        if all(r.status == JobStatus.SUCCEEDED for r in runs):
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            logs = "\n".join(w.output()[-3000:] for w in fleet.workers)
            pytest.fail(f"{experiment.name} not trained after {timeout} s:\n{logs}")
        jobs_maintain()
        time.sleep(0.2)


def mean_run_s(experiment: Experiment) -> float:
    runs = list(experiment.runs.all())
    return sum((r.finished_at - r.started_at).total_seconds() for r in runs) / len(runs)


def results(experiment: Experiment) -> dict[int, Any]:
    """What the seed fixes, per fold: each epoch's numbers and the held-out results."""
    out = {}
    for run in experiment.runs.order_by("fold"):
        evaluation = Evaluation.objects.get(run=run)
        predictions = {p.image_id: p.probabilities for p in Prediction.objects.filter(run=run)}
        out[run.fold] = {
            "history": [{k: v for k, v in h.items() if k != "seconds"} for h in run.history],
            "best_score": run.best_score,
            "accuracy": evaluation.accuracy,
            "confusion": evaluation.confusion,
            "predictions": predictions,
        }
    return out


def test_two_workers_share_a_grid_and_one_finishes_the_run_of_a_worker_killed_mid_run(
    celery_workers: Fleet, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings.JOB_HEARTBEAT_SECONDS = 0.5
    settings.JOB_LEASE_SECONDS = LEASE_S
    route_to_worker(monkeypatch, train_run, celery_workers)
    dataset = standin_dataset(tmp_path / "standin")

    alone = celery_workers.start("alone")
    one = grid(dataset, "one-worker")
    one_worker_s = wait_until_trained(one, celery_workers, timeout=900)
    alone.stop()

    first, second = celery_workers.start("first"), celery_workers.start("second")
    two = grid(dataset, "two-workers")
    two_workers_s = wait_until_trained(two, celery_workers, timeout=900)
    print(
        f"\nfleet of cpu-demo runs ({len(FOLDS)} runs x {EPOCHS} epochs, one torch thread per "
        f"worker): 1 worker {one_worker_s:.1f} s, 2 workers {two_workers_s:.1f} s, "
        f"speed-up {one_worker_s / two_workers_s:.2f}x (a run took {mean_run_s(one):.1f} s "
        f"alone, {mean_run_s(two):.1f} s beside another; {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f})"
    )
    assert {r.worker.split("@")[0] for r in two.runs.all()} == {"first", "second"}
    assert results(two) == results(one)
    assert all(r.attempts == 1 for r in two.runs.all())
    assert {r.device for r in two.runs.all()} == {"cpu (1 threads)"}  # one torch thread each

    # kill -9 a worker in the middle of a run: after an epoch is stored, before the last.
    three = grid(dataset, "one-killed")
    victim: TrainingRun | None = None
    deadline = time.monotonic() + 600
    while victim is None:
        assert time.monotonic() < deadline, "no run got past its first epoch"
        for run in three.runs.filter(status=JobStatus.RUNNING, epoch__gte=1, epoch__lt=EPOCHS):
            victim = run
            break
        time.sleep(0.1)
    killed = first if victim.worker.startswith("first@") else second
    survivor = second if killed is first else first
    killed.kill()
    epoch_at_kill = victim.epoch
    killed_at = time.monotonic()

    wait_until_trained(three, celery_workers, timeout=900)
    victim.refresh_from_db()
    print(
        f"killed {killed.name} with {victim.name} at epoch {epoch_at_kill}/{EPOCHS}; "
        f"{survivor.name} finished the grid {time.monotonic() - killed_at:.1f} s later"
    )
    assert victim.worker.startswith(f"{survivor.name}@")
    assert victim.attempts == 2
    assert [h["epoch"] for h in victim.history] == list(range(1, EPOCHS + 1))  # each once
    assert f"epoch-{EPOCHS:04d}/checkpoint.pt" in victim.checkpoint
    assert results(three) == results(one)
    resumed = f"{victim.name} resumes from its stored checkpoint of epoch "
    assert resumed in survivor.output()
    assert int(survivor.output().split(resumed)[1].split()[0]) >= epoch_at_kill
