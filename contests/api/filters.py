"""The API's filters on studies, phases and invitations (django-filter)."""

from __future__ import annotations

import django_filters as filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from contests.models import Invitation, Phase, Study, StudyStatus


class StudyFilter(filters.FilterSet):
    dataset = filters.CharFilter(field_name="dataset__name", help_text=_("The data set's name"))
    title = filters.CharFilter(lookup_expr="icontains")
    created = filters.IsoDateTimeFromToRangeFilter(field_name="created_at")

    class Meta:
        model = Study
        fields = ["status", "dataset", "title"]


class PhaseFilter(filters.FilterSet):
    timed = filters.BooleanFilter(
        field_name="time_limit_seconds",
        lookup_expr="isnull",
        exclude=True,
        help_text=_("true: phases with a time limit; false: untimed ones"),
    )
    study_status = filters.ChoiceFilter(field_name="study__status", choices=StudyStatus.choices)

    class Meta:
        model = Phase
        fields = ["study", "hint_style", "hint_run", "gated", "timed", "study_status"]


class InvitationFilter(filters.FilterSet):
    used = filters.BooleanFilter(field_name="used_at", lookup_expr="isnull", exclude=True)
    revoked = filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True)
    created = filters.IsoDateTimeFromToRangeFilter(field_name="created_at")
    label = filters.CharFilter()

    class Meta:
        model = Invitation
        fields = ["study", "used", "revoked", "label"]

    @property
    def qs(self) -> QuerySet[Invitation]:
        return super().qs.select_related("participant")
