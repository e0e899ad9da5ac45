"""The API's filters on experiments, runs, evaluations and prediction jobs (django-filter)."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from classifier.models import Evaluation, Experiment, PredictionJob, TrainingRun

DATASET_HELP = _("The data set's name")


class ExperimentFilter(filters.FilterSet):
    dataset = filters.CharFilter(field_name="dataset__name", help_text=DATASET_HELP)
    created = filters.IsoDateTimeFromToRangeFilter(field_name="created_at")

    class Meta:
        model = Experiment
        fields = ["dataset", "architecture", "resolution", "use_clinical", "preset"]


class TrainingRunFilter(filters.FilterSet):
    dataset = filters.CharFilter(field_name="experiment__dataset__name", help_text=DATASET_HELP)
    created = filters.IsoDateTimeFromToRangeFilter(field_name="created_at")
    finished = filters.IsoDateTimeFromToRangeFilter(field_name="finished_at")

    class Meta:
        model = TrainingRun
        fields = ["experiment", "dataset", "status", "source", "fold"]


class EvaluationFilter(filters.FilterSet):
    experiment = filters.NumberFilter(field_name="run__experiment")
    dataset = filters.CharFilter(
        field_name="run__experiment__dataset__name", help_text=DATASET_HELP
    )
    created = filters.IsoDateTimeFromToRangeFilter(field_name="created_at")

    class Meta:
        model = Evaluation
        fields = ["run", "split", "experiment", "dataset"]


class PredictionJobFilter(filters.FilterSet):
    created = filters.IsoDateTimeFromToRangeFilter(field_name="created_at")

    class Meta:
        model = PredictionJob
        fields = ["run", "status"]
