"""REST API: a study built from a preset with its design options (researchers only).

POST /api/contests/presets/   {"preset": "paper" | "crossover", "dataset": NAME, ...}
    paper: the 2020 study, optionally ``counterbalanced`` (contest 2's image sets swap between
    its phases for half the readers); crossover: the same images without and with the AI in two
    sessions ``washout_days`` apart. Either may ask "How sure are you?" (``asks_confidence``);
    readers are randomised to the arms in blocks of ``block_size``. ``open``: open it at once.
Answers 201 with the study as ``/api/contests/studies/{id}/`` shows it.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classifier.models import TrainingRun
from contests.api import StudySerializer
from contests.models import HintStyle
from contests.presets import CROSSOVER_WASHOUT_DAYS
from contests.selectors.hints import hint_run_for
from contests.selectors.researcher import studies_overview
from contests.services.errors import ContestError
from contests.services.presets import (
    PRESETS,
    study_create_from_preset,
    study_open_waiting_for_hints,
)
from core.permissions import IsResearcher
from lesions.models import Dataset


class PresetInputSerializer(serializers.Serializer):
    preset = serializers.ChoiceField(choices=list(PRESETS))
    dataset = serializers.SlugRelatedField(slug_field="name", queryset=Dataset.objects.all())
    hint_run = serializers.SlugRelatedField(
        slug_field="name", queryset=TrainingRun.objects.all(), required=False, allow_null=True
    )
    hint_style = serializers.ChoiceField(
        choices=[HintStyle.ALL, HintStyle.TOP], default=HintStyle.ALL
    )
    title = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    seed = serializers.IntegerField(default=0)
    scale = serializers.FloatField(default=1.0, min_value=0.001, max_value=1.0)
    counterbalanced = serializers.BooleanField(default=False)
    washout_days = serializers.IntegerField(
        default=CROSSOVER_WASHOUT_DAYS, min_value=0, max_value=365
    )
    asks_confidence = serializers.BooleanField(default=False)
    block_size = serializers.IntegerField(default=4, min_value=2, max_value=100)
    open = serializers.BooleanField(default=False)


class StudyFromPresetApi(APIView):
    """Build a study from a preset, with its design options."""

    permission_classes = [IsResearcher]

    @extend_schema(request=PresetInputSerializer, responses={201: StudySerializer})
    def post(self, request: Request) -> Response:
        given = PresetInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        hint_run = data.pop("hint_run", None) or hint_run_for(dataset=data["dataset"])
        if hint_run is None:
            return Response(
                {"hint_run": ["No model has predictions for this data set: name one."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        open_now = data.pop("open")
        try:
            with transaction.atomic():
                study = study_create_from_preset(hint_run=hint_run, **data)
                if open_now:
                    study_open_waiting_for_hints(study=study)
        except ContestError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        shown = studies_overview().get(pk=study.pk)
        return Response(StudySerializer(shown).data, status=status.HTTP_201_CREATED)


urlpatterns = [path("presets/", StudyFromPresetApi.as_view(), name="contests-study-preset")]
