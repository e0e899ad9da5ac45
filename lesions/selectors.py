"""Reads of the catalogue: data set summaries and the filtered image browser."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image

# The browser's filters: query parameter -> lookup.
IMAGE_FILTERS: dict[str, str] = {
    "dataset": "dataset__name",
    "diagnosis": "lesion__diagnosis",
    "localization": "localization",
    "sex": "sex",
    "partition": "partition",
    "fold": "fold",
}


@dataclass
class DatasetSummary:
    dataset: Dataset
    images: int = 0
    lesions: int = 0
    by_diagnosis: dict[str, int] = field(default_factory=dict)
    # Rows "test", "fold 0", ..., "unassigned"; each a count per diagnosis, in DIAGNOSES order.
    by_part: dict[str, list[int]] = field(default_factory=dict)


def _part_name(partition: str | None, fold: int | None) -> str:
    if partition == "test":
        return "test"
    if partition == "train":
        return f"fold {fold}" if fold is not None else "train"
    return "unassigned"


def dataset_summaries() -> list[DatasetSummary]:
    summaries = {d.pk: DatasetSummary(dataset=d) for d in Dataset.objects.all()}
    lesion_counts = Dataset.objects.annotate(n=Count("lesions")).values_list("pk", "n")
    for pk, n in lesion_counts:
        summaries[pk].lesions = n
    rows = (
        Image.objects.values("dataset_id", "lesion__diagnosis", "partition", "fold")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        summary = summaries[row["dataset_id"]]
        dx, n = row["lesion__diagnosis"], row["n"]
        summary.images += n
        summary.by_diagnosis[dx] = summary.by_diagnosis.get(dx, 0) + n
        part = summary.by_part.setdefault(
            _part_name(row["partition"], row["fold"]), [0] * len(DIAGNOSES)
        )
        part[DIAGNOSES.index(dx)] += n
    for summary in summaries.values():
        summary.by_part = dict(
            sorted(summary.by_part.items(), key=lambda kv: (kv[0] != "test", kv[0]))
        )
    return list(summaries.values())


def image_list(filters: Mapping[str, str]) -> QuerySet[Image]:
    """Images matching the given filters (unknown keys and empty values are ignored)."""
    queryset = Image.objects.select_related("lesion", "dataset").order_by(
        "dataset__name", "image_id"
    )
    for key, lookup in IMAGE_FILTERS.items():
        value = filters.get(key, "")
        if value == "":
            continue
        if key == "fold" and not value.isdigit():
            continue
        queryset = queryset.filter(**{lookup: value})
    return queryset
