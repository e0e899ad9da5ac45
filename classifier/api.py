"""REST API of the classifier app (researchers only: see REST_FRAMEWORK's default permission).

Experiments (list, read, create, queue), runs (read, queue; poll one for its progress), the
paper's grid (create and queue), evaluations (read), a run's predictions for chosen images (a
job, polled at prediction-jobs/{id}/), and trying a run on one uploaded image. Lists filter with
classifier.filters. Queueing goes through the classifier's services, as the pages do.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from classifier import runner, services
from classifier.filters import (
    EvaluationFilter,
    ExperimentFilter,
    PredictionJobFilter,
    TrainingRunFilter,
)
from classifier.models import Evaluation, Experiment, PredictionJob, TrainingRun
from classifier.train_config import PRESETS
from core.api.idempotency import idempotent
from core.api.problems import Conflict, Refused
from core.models import JobStatus
from lesions.codes import DIAGNOSES
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


# The training presets by name (one choice set, named in ENUM_NAME_OVERRIDES).
TRAINING_PRESETS: tuple[str, ...] = tuple(sorted(PRESETS))


class QueuedSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text=_("Runs sent to the GPU workers"))


class GridInput(serializers.Serializer):
    dataset = serializers.SlugRelatedField(slug_field="name", queryset=Dataset.objects.all())
    preset = serializers.ChoiceField(choices=TRAINING_PRESETS, default="paper")
    folds = serializers.IntegerField(min_value=1, max_value=20, default=5)
    queue = serializers.BooleanField(default=True)


class GridSerializer(serializers.Serializer):
    experiments = serializers.IntegerField()
    runs = RunSerializer(many=True)


class TryInput(serializers.Serializer):
    image = serializers.ImageField()
    age = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=120)
    sex = serializers.ChoiceField(choices=Sex.choices, default=Sex.UNKNOWN)
    site = serializers.ChoiceField(choices=Localization.choices, default=Localization.UNKNOWN)


class TryOutput(serializers.Serializer):
    run = serializers.CharField()
    probabilities = serializers.DictField(
        child=serializers.FloatField(), help_text=_("One per diagnosis code")
    )
    predicted = serializers.ChoiceField(choices=DIAGNOSES)


class ExperimentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Experiment.objects.select_related("dataset").order_by("-created_at")
    serializer_class = ExperimentSerializer
    filterset_class = ExperimentFilter

    @idempotent()
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A new experiment and one pending run per fold (``queue``: sent to the workers)."""
        return super().create(request, *args, **kwargs)

    @extend_schema(request=None, responses={202: QueuedSerializer})
    @action(detail=True, methods=["post"])
    def queue(self, request: Request, pk: str | None = None) -> Response:
        """Queue every run of the experiment that has not succeeded yet."""
        queued = services.experiment_queue(experiment=self.get_object())
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    """Training runs; poll one (``status``, ``progress``, ``message``) while it trains."""

    queryset = TrainingRun.objects.order_by("-created_at")
    serializer_class = RunSerializer
    filterset_class = TrainingRunFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=None, responses={202: RunSerializer})
    @action(detail=True, methods=["post"])
    def queue(self, request: Request, pk: str | None = None) -> Response:
        """Send this run's training (resumed from its checkpoint) to the GPU workers."""
        run = self.get_object()
        if run.source != "trained" or run.experiment_id is None:
            raise Refused(_("Only a run of an experiment can be trained."))
        if run.status in (JobStatus.SUCCEEDED, JobStatus.RUNNING):
            raise Conflict(_("The run is %(status)s.") % {"status": run.get_status_display()})
        services.run_queue(run=run)
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=PredictionJobSerializer, responses={202: PredictionJobSerializer})
    @action(detail=True, methods=["post"], serializer_class=PredictionJobSerializer)
    @idempotent()
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
            raise Refused("; ".join(error.messages)) from error
        return Response(PredictionJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=TryOutput)
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
            raise Refused(str(error)) from error
        predicted = max(probabilities, key=probabilities.__getitem__)
        return Response({"run": run.name, "probabilities": probabilities, "predicted": predicted})


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Evaluation.objects.order_by("-created_at")
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter


class PredictionJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Prediction jobs; poll one while it runs."""

    queryset = PredictionJob.objects.order_by("-created_at")
    serializer_class = PredictionJobSerializer
    filterset_class = PredictionJobFilter


class GridApi(APIView):
    @extend_schema(request=GridInput, responses={202: GridSerializer})
    @idempotent()
    def post(self, request: Request) -> Response:
        """The paper's grid on a data set: one experiment per configuration, one run per fold,
        queued unless ``queue`` is false. Experiments that exist are kept (their finished runs
        are not queued again)."""
        data = GridInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            runs = services.grid_create(**data.validated_data)
        except ValueError as error:
            raise Refused(str(error)) from error
        experiments = len({run.experiment_id for run in runs})
        body = {"experiments": experiments, "runs": RunSerializer(runs, many=True).data}
        return Response(body, status=status.HTTP_202_ACCEPTED)


router = DefaultRouter()
router.register("experiments", ExperimentViewSet)
router.register("runs", RunViewSet)
router.register("evaluations", EvaluationViewSet)
router.register("prediction-jobs", PredictionJobViewSet)

urlpatterns = [
    path("grids/", GridApi.as_view(), name="classifier-grid"),
    path("", include(router.urls)),
]
