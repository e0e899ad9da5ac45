"""REST API of the gan app (researchers only: see REST_FRAMEWORK's default permission).

GAN runs (list, read, create-and-queue; poll one while it trains), their generated images and
their evaluations. Lists filter with gan.filters; queueing goes through gan.services, as the
page does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api.idempotency import idempotent
from core.api.problems import Refused
from gan.filters import GanEvaluationFilter, GanRunFilter, GeneratedImageFilter
from gan.models import GanEvaluation, GanRun, GeneratedImage, Preset
from gan.services import gan_run_queue
from lesions.models import Dataset

FINAL_SIZES = (32, 64, 128, 256, 512)


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


class GanRunInput(serializers.Serializer):
    dataset = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Dataset.objects.filter(is_synthetic=False),
        help_text=_("A real data set with training images"),
    )
    preset = serializers.ChoiceField(choices=Preset.choices, default=Preset.DEFAULT)
    final_size = serializers.ChoiceField(choices=FINAL_SIZES, default=64)
    name = serializers.CharField(max_length=200, required=False, default="")
    gallery_per_class = serializers.IntegerField(min_value=0, max_value=200, default=8)


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


class GanRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = GanRun.objects.select_related("dataset").order_by("-created_at")
    serializer_class = GanRunSerializer
    filterset_class = GanRunFilter

    @extend_schema(request=GanRunInput, responses={202: GanRunSerializer})
    @idempotent()
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A new GAN run on a real data set, queued on the GPU workers."""
        data = GanRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            run = gan_run_queue(
                dataset=values["dataset"],
                name=values["name"],
                preset_name=values["preset"],
                final_size=int(values["final_size"]),
                gallery_per_class=values["gallery_per_class"],
            )
        except ValueError as error:
            raise Refused(str(error)) from error
        return Response(GanRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class GeneratedImageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GeneratedImageSerializer
    filterset_class = GeneratedImageFilter

    def get_queryset(self) -> QuerySet[GeneratedImage]:
        return GeneratedImage.objects.select_related("image").order_by("pk")


class GanEvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = GanEvaluation.objects.order_by("-created_at")
    serializer_class = GanEvaluationSerializer
    filterset_class = GanEvaluationFilter


router = SimpleRouter()
router.register("runs", GanRunViewSet, basename="gan-run")
router.register("images", GeneratedImageViewSet, basename="gan-image")
router.register("evaluations", GanEvaluationViewSet, basename="gan-evaluation")
urlpatterns = router.urls
