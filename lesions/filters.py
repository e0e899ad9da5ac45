"""The API's filters on the catalogue (django-filter; they appear in the schema)."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from lesions.models import Dataset, Diagnosis, Image


class DatasetFilter(filters.FilterSet):
    created = filters.IsoDateTimeFromToRangeFilter(field_name="created_at")

    class Meta:
        model = Dataset
        fields = ["is_synthetic"]


class ImageFilter(filters.FilterSet):
    dataset = filters.CharFilter(field_name="dataset__name", help_text=_("The data set's name"))
    diagnosis = filters.ChoiceFilter(field_name="lesion__diagnosis", choices=Diagnosis.choices)
    lesion_id = filters.CharFilter(field_name="lesion__lesion_id")

    class Meta:
        model = Image
        fields = ["dataset", "diagnosis", "lesion_id", "localization", "sex", "partition", "fold",
                  "is_synthetic"]  # fmt: skip
