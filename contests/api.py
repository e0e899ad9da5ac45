"""REST API of the contests app (researchers only: see REST_FRAMEWORK's default permission).

/api/contests/studies/                 studies with their phases
/api/contests/studies/{id}/progress/   each reader's progress per phase (?simulated=true adds
                                       the simulated readers)
/api/contests/phases/                  phases (?study=ID) with their case counts
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from classifier.models import TrainingRun
from contests.models import Phase, Study
from contests.selectors.researcher import studies_overview, study_progress
from lesions.models import Dataset


class PhaseSerializer(serializers.ModelSerializer):
    case_count = serializers.IntegerField(read_only=True)
    hint_run: serializers.SlugRelatedField[TrainingRun] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )

    class Meta:
        model = Phase
        fields = [
            "id",
            "study",
            "order",
            "title",
            "time_limit_seconds",
            "hint_style",
            "hint_run",
            "case_order",
            "gated",
            "opens_at",
            "closes_at",
            "case_count",
            "shares_cases_with",
        ]


class StudySerializer(serializers.ModelSerializer):
    dataset: serializers.SlugRelatedField[Dataset] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )
    phases = serializers.SerializerMethodField()
    reader_count = serializers.IntegerField(read_only=True)
    simulated_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Study
        fields = [
            "id",
            "title",
            "description",
            "status",
            "dataset",
            "languages",
            "grace_seconds",
            "consent_version",
            "created_at",
            "design",
            "washout_days",
            "asks_confidence",
            "block_size",
            "reader_count",
            "simulated_count",
            "phases",
        ]

    @extend_schema_field(PhaseSerializer(many=True))
    def get_phases(self, study: Study) -> list[dict[str, Any]]:
        phases = study.phases.select_related("hint_run").annotate(case_count=Count("cases"))
        data = PhaseSerializer(phases, many=True).data
        return data  # type: ignore[return-value]  # many=True: a ListSerializer's list; stubs say dict


class PhaseProgressSerializer(serializers.Serializer):
    phase = serializers.IntegerField(source="phase_id")
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    answered = serializers.IntegerField()
    timed_out = serializers.IntegerField()
    mean_seconds = serializers.FloatField(allow_null=True)


class ParticipantProgressSerializer(serializers.Serializer):
    pseudonym = serializers.CharField(source="participant.pseudonym")
    is_simulated = serializers.BooleanField(source="participant.is_simulated")
    language = serializers.CharField(source="participant.language")
    last_seen_at = serializers.DateTimeField(allow_null=True)
    phases = PhaseProgressSerializer(many=True)


class StudyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StudySerializer

    def get_queryset(self) -> QuerySet[Study]:
        return studies_overview().order_by("-created_at")

    @extend_schema(
        parameters=[OpenApiParameter("simulated", bool, description="Add simulated readers")],
        responses=ParticipantProgressSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        study = self.get_object()
        include_simulated = request.query_params.get("simulated", "").lower() in {"1", "true"}
        rows = study_progress(study=study, include_simulated=include_simulated)
        return Response(ParticipantProgressSerializer(rows, many=True).data)


class PhaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PhaseSerializer

    def get_queryset(self) -> QuerySet[Phase]:
        phases = Phase.objects.select_related("hint_run").annotate(case_count=Count("cases"))
        study = self.request.query_params.get("study")
        if study and study.isdigit():
            phases = phases.filter(study_id=int(study))
        return phases.order_by("study_id", "order")


router = DefaultRouter()
router.register("studies", StudyViewSet, basename="study")
router.register("phases", PhaseViewSet, basename="phase")

app_name = "contests-api"
urlpatterns = router.urls
