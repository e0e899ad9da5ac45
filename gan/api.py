"""REST API of the gan app (researchers only: see REST_FRAMEWORK's default permission)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from gan.models import GanEvaluation, GanRun, GeneratedImage
from lesions.models import Dataset


class GanRunSerializer(serializers.ModelSerializer):
    dataset: serializers.SlugRelatedField[Dataset] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )

    class Meta:
        model = GanRun
        fields = [
            "id", "name", "dataset", "preset", "final_size", "status", "progress", "message",
            "error", "phase", "resolution", "alpha", "images_seen", "total_images", "losses",
            "grids", "created_at", "started_at", "finished_at",
        ]  # fmt: skip


class GeneratedImageSerializer(serializers.ModelSerializer):
    image_id = serializers.CharField(source="image.image_id", read_only=True)
    age = serializers.FloatField(source="image.age", read_only=True)
    sex = serializers.CharField(source="image.sex", read_only=True)
    localization = serializers.CharField(source="image.localization", read_only=True)

    class Meta:
        model = GeneratedImage
        fields = ["id", "run", "image", "image_id", "diagnosis", "continuous", "seed", "age",
                  "sex", "localization"]  # fmt: skip


class GanEvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = GanEvaluation
        fields = "__all__"


class GanRunViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = GanRun.objects.select_related("dataset").order_by("-created_at")
    serializer_class = GanRunSerializer


class GeneratedImageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GeneratedImageSerializer

    def get_queryset(self) -> QuerySet[GeneratedImage]:
        items = GeneratedImage.objects.select_related("image").order_by("pk")
        run = self.request.query_params.get("run")
        return items.filter(run_id=int(run)) if run and run.isdigit() else items


class GanEvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = GanEvaluation.objects.order_by("-created_at")
    serializer_class = GanEvaluationSerializer


router = SimpleRouter()
router.register("runs", GanRunViewSet, basename="gan-run")
router.register("images", GeneratedImageViewSet, basename="gan-image")
router.register("evaluations", GanEvaluationViewSet, basename="gan-evaluation")
urlpatterns = router.urls
