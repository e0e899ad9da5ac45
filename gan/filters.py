"""The API's filters on GAN runs, their generated images and their evaluations (django-filter)."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from gan.models import GanEvaluation, GanRun, GeneratedImage


class GanRunFilter(filters.FilterSet):
    dataset = filters.CharFilter(field_name="dataset__name", help_text=_("The data set's name"))
    created = filters.IsoDateTimeFromToRangeFilter(field_name="created_at")
    finished = filters.IsoDateTimeFromToRangeFilter(field_name="finished_at")

    class Meta:
        model = GanRun
        fields = ["dataset", "status", "preset", "final_size"]


class GeneratedImageFilter(filters.FilterSet):
    class Meta:
        model = GeneratedImage
        fields = ["run", "diagnosis"]


class GanEvaluationFilter(filters.FilterSet):
    created = filters.IsoDateTimeFromToRangeFilter(field_name="created_at")

    class Meta:
        model = GanEvaluation
        fields = ["run", "classifier_run"]
