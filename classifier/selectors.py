"""Reads of the classifier app: lists for the pages and the results table of the paper."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from classifier.models import Evaluation, Experiment, TrainingRun
from classifier.nets import PAPER_ARCHITECTURES
from core.models import JobStatus


def experiment_list() -> QuerySet[Experiment]:
    return (
        Experiment.objects.select_related("dataset")
        .annotate(
            n_runs=Count("runs", distinct=True),
            n_done=Count("runs", filter=Q(runs__status=JobStatus.SUCCEEDED), distinct=True),
        )
        .order_by("-created_at")
    )


def runs_of(experiment: Experiment) -> QuerySet[TrainingRun]:
    return experiment.runs.order_by("fold").prefetch_related("evaluations")


def trained_runs() -> QuerySet[TrainingRun]:
    """Runs that can predict: trained here and finished."""
    return TrainingRun.objects.filter(
        source="trained", status=JobStatus.SUCCEEDED, experiment__isnull=False
    ).select_related("experiment")


@dataclass(frozen=True)
class Cell:
    mean: float
    sd: float | None
    n: int


@dataclass(frozen=True)
class ResultRow:
    architecture: str
    low: Cell | None
    high: Cell | None


def _cell(values: list[float]) -> Cell | None:
    if not values:
        return None
    sd = statistics.stdev(values) if len(values) > 1 else None
    return Cell(mean=statistics.fmean(values), sd=sd, n=len(values))


def results_table(*, use_clinical: bool, dataset_id: int | None = None) -> list[ResultRow]:
    """The paper's Table 2 (``use_clinical=False``) or Table 3 (``True``): held-out accuracy
    per architecture at low and high resolution, mean and standard deviation over folds."""
    evaluations = Evaluation.objects.filter(
        split="test", run__experiment__use_clinical=use_clinical
    ).select_related("run__experiment")
    if dataset_id is not None:
        evaluations = evaluations.filter(run__experiment__dataset_id=dataset_id)
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    for evaluation in evaluations:
        experiment = evaluation.run.experiment
        assert experiment is not None
        if experiment.input_width:  # a reduced size is neither of the paper's columns
            continue
        values[(experiment.architecture, experiment.resolution)].append(evaluation.accuracy)
    found = {architecture for architecture, _ in values}
    ordered = [a for a in PAPER_ARCHITECTURES if a in found] + sorted(
        found - set(PAPER_ARCHITECTURES)
    )
    return [
        ResultRow(architecture=a, low=_cell(values[(a, "low")]), high=_cell(values[(a, "high")]))
        for a in ordered
    ]
