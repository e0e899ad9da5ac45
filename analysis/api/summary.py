"""A study's summary (the numbers of its results page) and its CSV exports."""

from __future__ import annotations

import math
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis import exports, services
from analysis.api.serializers import StudySummarySerializer
from analysis.report_tables import report_tables
from contests.models import Study

SIMULATED = OpenApiParameter(
    "simulated", bool, description="1 to include simulated readers (left out by default)"
)
SUMMARY_TABLES = ("table4", "comparisons", "mrmc_figures", "crossover", "by_sequence", "per_class")


def include_simulated(request: Request) -> bool:
    return request.query_params.get("simulated") in ("1", "true")


def _clean(value: Any) -> Any:
    """JSON has no NaN: missing numbers become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class StudySummaryApi(APIView):
    """Table 4, the with/without-hint comparisons (with each figure's MRMC in the design that
    fits, and a crossover's period and carry-over effects) and the per-class metrics of a study:
    the numbers its results page shows, from the same report."""

    @extend_schema(parameters=[SIMULATED], responses=StudySummarySerializer)
    def get(self, request: Request, pk: int) -> Response:
        study = get_object_or_404(Study, pk=pk)
        _, report = services.study_report_build(
            study=study, include_simulated=include_simulated(request)
        )
        tables = report_tables(report)
        body: dict[str, object] = {
            "study": study.pk,
            "readings": report.n_readings,
            "include_simulated": report.include_simulated,
            "notes": report.notes,
            **{
                name: [
                    {k: _clean(v) for k, v in row.items()}
                    for row in tables[name].to_dict(orient="records")
                ]
                for name in SUMMARY_TABLES
                if name in tables
            },
            "designs": [
                {
                    "comparison": f"{c.without} vs {c.with_hint}",
                    "design": c.design.design,
                    "model": c.design.model,
                    "reference": c.design.source,
                }
                for c in report.comparisons
                if c.design is not None
            ],
        }
        return Response(StudySummarySerializer(body).data)


class StudyExportApi(APIView):
    """One of a study's CSV exports: readings, readers, per_class or imrmc (the iMRMC input)."""

    @extend_schema(
        parameters=[SIMULATED],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV")},
    )
    def get(self, request: Request, pk: int, name: str) -> HttpResponse:
        study = get_object_or_404(Study, pk=pk)
        include = include_simulated(request)
        if name not in exports.EXPORTS:
            raise NotFound(
                _("No export %(name)r: choose from %(names)s.")
                % {"name": name, "names": ", ".join(exports.EXPORTS)}
            )
        frame, report = services.study_report_build(study=study, include_simulated=include)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-{name}.csv"'
        exports.write_export(name, frame, report, response, include_simulated=include)
        return response
