"""The API's filters on report jobs (django-filter)."""

from __future__ import annotations

import django_filters as filters

from analysis.models import ReportJob


class ReportJobFilter(filters.FilterSet):
    created = filters.IsoDateTimeFromToRangeFilter(field_name="created_at")
    finished = filters.IsoDateTimeFromToRangeFilter(field_name="finished_at")

    class Meta:
        model = ReportJob
        fields = ["study", "status", "include_simulated"]
