"""Phases through the API: list and read them, change one or draw its cases before the study
opens (the builder's services keep the rules)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from contests.api.errors import refusals
from contests.api.filters import PhaseFilter
from contests.api.serializers import (
    DrawInput,
    DrawnSerializer,
    PhaseInput,
    PhaseSerializer,
    PhaseTextsInput,
)
from contests.models import Phase
from contests.selectors.researcher import study_phases
from contests.services.builder import phase_cases_draw, phase_update, study_check_draft
from contests.services.content import phase_texts_update
from contests.services.errors import BuilderError


def _phase_data(phase: Phase) -> dict[str, Any]:
    return PhaseSerializer(study_phases(study=phase.study).get(pk=phase.pk)).data


class PhaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PhaseSerializer
    filterset_class = PhaseFilter

    def get_queryset(self) -> QuerySet[Phase]:
        return (
            Phase.objects.select_related("hint_run", "study")
            .annotate(case_count=Count("cases"))
            .order_by("study_id", "order")
        )

    @extend_schema(request=PhaseInput, responses=PhaseSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a phase of a draft study (any of its fields; the rest stay)."""
        phase = self.get_object()
        data = PhaseInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with refusals():
            phase_update(phase=phase, changes=data.service_fields())  # type: ignore[arg-type]  # checked by PhaseInput
        return Response(_phase_data(phase))

    @extend_schema(request=PhaseTextsInput, responses=PhaseSerializer)
    @action(detail=True, methods=["patch"])
    def texts(self, request: Request, pk: str | None = None) -> Response:
        """Change the phase's title or instructions in any of its study's languages, at any
        time (its other fields change only before the study opens)."""
        phase = self.get_object()
        data = PhaseTextsInput(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals():
            phase_texts_update(phase=phase, texts=data.validated_data["texts"])
        return Response(_phase_data(phase))

    @extend_schema(request=DrawInput, responses=DrawnSerializer)
    @action(detail=True, methods=["post"])
    def draw(self, request: Request, pk: str | None = None) -> Response:
        """Draw the phase's cases from its study's held-out split, replacing those it had."""
        phase = self.get_object()
        data = DrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals():
            study_check_draft(study=phase.study)
            if phase.study.dataset is None:
                raise BuilderError(_("The study has no data set to draw from."))
            cases = phase_cases_draw(
                phase=phase, dataset=phase.study.dataset, **data.validated_data
            )
        return Response({"phase": _phase_data(phase), "drawn": len(cases)})
