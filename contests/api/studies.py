"""Studies through the API: list, read, create (custom or from a preset), open, close, progress,
and the study's phases and invitations made from here (contests.api.phases, .invitations)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from contests.api.errors import refusals
from contests.api.filters import StudyFilter
from contests.api.invitations import invitations_create_response, invitations_replay
from contests.api.serializers import (
    DrawnSerializer,
    InvitationBatchSerializer,
    InvitationsInput,
    NewPhaseInput,
    OpenedSerializer,
    OpenInput,
    ParticipantProgressSerializer,
    PhaseSerializer,
    PresetStudyInput,
    ReorderInput,
    StudyInput,
    StudySerializer,
    StudyTextsInput,
)
from contests.models import Study
from contests.selectors.hints import hint_run_for
from contests.selectors.researcher import studies_overview, study_phases, study_progress
from contests.services.builder import (
    phase_cases_draw,
    phase_create,
    study_check_draft,
    study_close,
    study_create,
    study_open,
    study_phases_reorder,
)
from contests.services.content import study_texts_update
from contests.services.errors import BuilderError
from contests.services.presets import study_create_from_preset, study_open_waiting_for_hints
from core.api.idempotency import idempotent


def _study_data(study: Study) -> dict[str, Any]:
    """The study as the list shows it (with its reader counts)."""
    return StudySerializer(studies_overview().get(pk=study.pk)).data


class StudyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = StudySerializer
    filterset_class = StudyFilter

    def get_queryset(self) -> QuerySet[Study]:
        return studies_overview().order_by("-created_at")

    @extend_schema(request=StudyInput, responses={201: StudySerializer})
    @idempotent()
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A custom study, as a draft with no phases yet."""
        data = StudyInput(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals():
            study = study_create(**data.validated_data)
        return Response(_study_data(study), status=status.HTTP_201_CREATED)

    @extend_schema(request=PresetStudyInput, responses={201: StudySerializer})
    @action(detail=False, methods=["post"], url_path="from-preset")
    @idempotent()
    def from_preset(self, request: Request) -> Response:
        """A ready-made study with its cases drawn from the data set's held-out split, as a
        draft to open when ready: ``paper`` (the 2020 study's three phases, optionally with
        contest 2's image sets counterbalanced) or ``crossover`` (the same images without and
        with the AI, ``washout_days`` apart)."""
        data = PresetStudyInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        hint_run = values.pop("hint_run", None) or hint_run_for(dataset=values["dataset"])
        if hint_run is None:
            raise ValidationError(
                {"hint_run": [_("No model has predictions for this data set: name one.")]}
            )
        with refusals():
            study = study_create_from_preset(hint_run=hint_run, **values)
        return Response(_study_data(study), status=status.HTTP_201_CREATED)

    @extend_schema(request=StudyTextsInput, responses=StudySerializer)
    @action(detail=True, methods=["patch"])
    def texts(self, request: Request, pk: str | None = None) -> Response:
        """Change the study's title, description or consent text in any of its languages, at
        any time. A changed consent text of an open study is a new ``consent_version``:
        readers who agreed to an earlier one are asked again before their next case."""
        study = self.get_object()
        data = StudyTextsInput(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals():
            study_texts_update(study=study, texts=data.validated_data["texts"])
        return Response(_study_data(study))

    @extend_schema(request=NewPhaseInput, responses={201: DrawnSerializer})
    @action(detail=True, methods=["post"], url_path="phases")
    @idempotent()
    def phase_add(self, request: Request, pk: str | None = None) -> Response:
        """A new phase at the end of a draft study, and its cases drawn if ``cases`` is given
        (both or neither, as on the study's page)."""
        study = self.get_object()
        data = NewPhaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.service_fields()
        draw = values.pop("cases", None)
        with refusals(), transaction.atomic():
            study_check_draft(study=study)
            phase = phase_create(study=study, **values)
            drawn = 0
            if draw is not None:
                if study.dataset is None:
                    raise BuilderError(_("The study has no data set to draw from."))
                drawn = len(phase_cases_draw(phase=phase, dataset=study.dataset, **draw))
        phase_data = PhaseSerializer(study_phases(study=study).get(pk=phase.pk)).data
        return Response({"phase": phase_data, "drawn": drawn}, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReorderInput, responses=PhaseSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="phases/reorder", pagination_class=None)
    def phases_reorder(self, request: Request, pk: str | None = None) -> Response:
        """Put a draft study's phases in a new order: every phase id, once each."""
        study = self.get_object()
        data = ReorderInput(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals():
            study_phases_reorder(study=study, phase_ids=data.validated_data["phases"])
        return Response(PhaseSerializer(study_phases(study=study), many=True).data)

    @extend_schema(request=OpenInput, responses=OpenedSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        """Open the study to its readers. Every phase needs its cases; a hint phase its model's
        predictions, unless ``wait_for_hints`` (then it stays locked until they exist)."""
        study = self.get_object()
        data = OpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        waiting: list[int] = []
        with refusals():
            if data.validated_data["wait_for_hints"]:
                waiting = [phase.pk for phase in study_open_waiting_for_hints(study=study)]
            else:
                study_open(study=study)
        return Response({"study": _study_data(study), "waiting_for_hints": waiting})

    @extend_schema(request=None, responses=StudySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the study: readers can no longer answer; open phases close now."""
        study = study_close(study=self.get_object(), now=timezone.now())
        return Response(_study_data(study))

    @extend_schema(
        parameters=[OpenApiParameter("simulated", bool, description="Add simulated readers")],
        responses=ParticipantProgressSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Each reader's progress per phase, as one list (not paginated)."""
        study = self.get_object()
        include_simulated = request.query_params.get("simulated", "").lower() in {"1", "true"}
        rows = study_progress(study=study, include_simulated=include_simulated)
        return Response(ParticipantProgressSerializer(rows, many=True).data)

    @extend_schema(request=InvitationsInput, responses={201: InvitationBatchSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    @idempotent(store=lambda data: {"invitations": [i["id"] for i in data["invitations"]]},
                replay=invitations_replay)  # fmt: skip
    def invitations(self, request: Request, pk: str | None = None) -> Response:
        """New invitation links, returned this once: only their hashes are stored. A retry with
        the same Idempotency-Key returns the same invitations with new links (the first ones,
        never delivered, stop working)."""
        return invitations_create_response(request, self.get_object())
