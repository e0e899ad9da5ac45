"""One job of each kind, cheap to make: the lease rules hold for all four alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils.module_loading import import_string

from analysis.models import ReportJob
from classifier.models import PredictionJob, TrainingRun
from core.models import Job
from gan.models import GanRun
from gan.training import preset
from tests.contests.factories import StudyFactory
from tests.lesions.factories import DatasetFactory

JOB_KINDS = ["training run", "prediction job", "gan run", "report job"]

MakeJob = Callable[[str], Job]


@pytest.fixture
def make_job(db: Any) -> MakeJob:
    def make(kind: str) -> Job:
        if kind == "training run":
            return TrainingRun.objects.create(name=f"run-{TrainingRun.objects.count()}")
        if kind == "prediction job":
            run = TrainingRun.objects.create(name=f"for-{PredictionJob.objects.count()}")
            return PredictionJob.objects.create(run=run, image_ids=[])
        if kind == "gan run":
            return GanRun.objects.create(
                name=f"gan-{GanRun.objects.count()}",
                dataset=DatasetFactory(),
                config=preset("default", final_size=8).to_dict(),
            )
        if kind == "report job":
            return ReportJob.objects.create(study=StudyFactory())
        raise ValueError(kind)

    return make


def run_task(job: Job) -> Any:
    """Deliver the job's own task to this process, as a worker would run it."""
    task = import_string(type(job).task_name)
    return task(**{type(job).task_argument: job.pk})


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """What the outbox hands to the broker, recorded instead of sent."""
    record: list[tuple[str, dict[str, Any]]] = []
    for name in (
        TrainingRun.task_name,
        PredictionJob.task_name,
        GanRun.task_name,
        ReportJob.task_name,
    ):
        monkeypatch.setattr(
            import_string(name), "delay", lambda n=name, **kw: record.append((n, kw))
        )
    return record
