"""REST API of the lesions app, read-only (researchers only: REST_FRAMEWORK's default permission).

/api/lesions/datasets/?is_synthetic=&created_after=&created_before= and
/api/lesions/images/?dataset=&diagnosis=&lesion_id=&localization=&sex=&partition=&fold=
(the filters: lesions.filters)
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.urls import reverse
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from lesions.filters import DatasetFilter, ImageFilter
from lesions.models import Dataset, Image


class DatasetSerializer(serializers.ModelSerializer):
    images = serializers.IntegerField(source="image_count", read_only=True)
    lesions = serializers.IntegerField(source="lesion_count", read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "name",
            "title",
            "source",
            "credit",
            "licence",
            "is_synthetic",
            "images",
            "lesions",
            "split_seed",
            "split_test_size",
            "split_folds",
            "split_made_at",
        ]


class ImageSerializer(serializers.ModelSerializer):
    dataset = serializers.CharField(source="dataset.name", read_only=True)
    lesion_id = serializers.CharField(source="lesion.lesion_id", read_only=True)
    diagnosis = serializers.CharField(source="lesion.diagnosis", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Image
        fields = [
            "public_id",
            "image_id",
            "dataset",
            "lesion_id",
            "diagnosis",
            "age",
            "sex",
            "localization",
            "dx_type",
            "source_dataset",
            "width",
            "height",
            "sha256",
            "is_synthetic",
            "partition",
            "fold",
            "url",
        ]

    def get_url(self, obj: Image) -> str:
        return reverse("lesions:image", args=[obj.public_id])


class DatasetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DatasetSerializer
    filterset_class = DatasetFilter
    lookup_field = "name"

    def get_queryset(self) -> QuerySet[Dataset]:
        return Dataset.objects.annotate(
            image_count=Count("images", distinct=True), lesion_count=Count("lesions", distinct=True)
        ).order_by("name")


class ImageViewSet(viewsets.ReadOnlyModelViewSet):
    """Images with their clinical data and split; filter with the query parameters above."""

    serializer_class = ImageSerializer
    filterset_class = ImageFilter
    lookup_field = "public_id"

    def get_queryset(self) -> QuerySet[Image]:
        return Image.objects.select_related("lesion", "dataset").order_by(
            "dataset__name", "image_id"
        )


router = SimpleRouter()
router.register("datasets", DatasetViewSet, basename="lesions-dataset")
router.register("images", ImageViewSet, basename="lesions-image")
urlpatterns = router.urls
