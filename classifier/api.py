"""REST API of the classifier app (researchers only: see REST_FRAMEWORK's default permission).

Experiments (list, read, create), runs and evaluations (read), a run's predictions for chosen
images (a job), and trying a run on one uploaded image.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import include, path
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from classifier import runner, services
from classifier.models import Evaluation, Experiment, PredictionJob, TrainingRun
from lesions.models import Dataset, Localization, Sex


class ExperimentSerializer(serializers.ModelSerializer):
    dataset = serializers.SlugRelatedField(slug_field="name", queryset=Dataset.objects.all())
    queue = serializers.BooleanField(write_only=True, default=False)

    class Meta:
        model = Experiment
        fields = [
            "id", "name", "dataset", "architecture", "resolution", "use_clinical", "fusion",
            "epochs", "batch_size", "lr", "weight_decay", "optimizer", "schedule", "augmentation",
            "imbalance", "dropout", "early_stopping_patience", "folds", "seed", "pretrained_file",
            "input_width", "input_height", "preset", "notes", "created_at", "queue",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]

    def create(self, validated_data: dict[str, Any]) -> Experiment:
        try:
            return services.experiment_create(
                created_by=self.context["request"].user, **validated_data
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingRun
        fields = [
            "id", "name", "source", "experiment", "fold", "status", "progress", "message",
            "error", "epoch", "history", "best_score", "device", "attempts", "created_at",
            "started_at", "finished_at",
        ]  # fmt: skip


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = [
            "id", "run", "split", "n_images", "accuracy", "error_rate", "balanced_accuracy",
            "per_class", "confusion", "ms_per_image_batched", "ms_per_image_batch1", "device",
            "created_at",
        ]  # fmt: skip


class PredictionJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = PredictionJob
        fields = ["id", "run", "image_ids", "label", "status", "progress", "n_written", "error"]
        read_only_fields = ["id", "run", "status", "progress", "n_written", "error"]


class TryInput(serializers.Serializer):
    image = serializers.ImageField()
    age = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=120)
    sex = serializers.ChoiceField(choices=Sex.choices, default=Sex.UNKNOWN)
    site = serializers.ChoiceField(choices=Localization.choices, default=Localization.UNKNOWN)


class ExperimentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Experiment.objects.select_related("dataset").order_by("-created_at")
    serializer_class = ExperimentSerializer


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = TrainingRun.objects.order_by("-created_at")
    serializer_class = RunSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @action(detail=True, methods=["post"], serializer_class=PredictionJobSerializer)
    def predictions(self, request: Request, pk: str | None = None) -> Response:
        """Queue predictions of this run for ``image_ids`` (e.g. a contest phase's images)."""
        run = get_object_or_404(TrainingRun, pk=pk)
        data = PredictionJobSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            job = services.prediction_job_create(
                run=run,
                image_ids=data.validated_data["image_ids"],
                label=data.validated_data.get("label", ""),
            )
        except DjangoValidationError as error:
            return Response({"detail": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(PredictionJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"], url_path="try", serializer_class=TryInput)
    def try_image(self, request: Request, pk: str | None = None) -> Response:
        """This run's seven probabilities for one uploaded image and its clinical data."""
        run = get_object_or_404(TrainingRun, pk=pk)
        data = TryInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            probabilities = runner.predict_upload(
                run=run,
                image_file=data.validated_data["image"],
                age=data.validated_data.get("age"),
                sex=data.validated_data["sex"],
                site=data.validated_data["site"],
            )
        except (ValueError, FileNotFoundError) as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        predicted = max(probabilities, key=probabilities.__getitem__)
        return Response({"run": run.name, "probabilities": probabilities, "predicted": predicted})


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Evaluation.objects.order_by("-created_at")
    serializer_class = EvaluationSerializer
    filterset_fields = ["run", "split"]


class PredictionJobViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = PredictionJob.objects.order_by("-created_at")
    serializer_class = PredictionJobSerializer


router = DefaultRouter()
router.register("experiments", ExperimentViewSet)
router.register("runs", RunViewSet)
router.register("evaluations", EvaluationViewSet)
router.register("prediction-jobs", PredictionJobViewSet)

urlpatterns = [path("", include(router.urls))]
