"""Report jobs through the API: queue one (the default worker writes the files), poll it,
download its files: the same service and files as the results page's "report" button."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis import services
from analysis.api.filters import ReportJobFilter
from analysis.api.serializers import ReportJobInput, ReportJobSerializer
from analysis.models import ReportJob
from contests.models import Study
from core.api.idempotency import idempotent


class ReportJobCreateApi(APIView):
    @extend_schema(request=ReportJobInput, responses={202: ReportJobSerializer})
    @idempotent()
    def post(self, request: Request, pk: int) -> Response:
        """Queue the study's report (HTML, tables and exports as CSV, plots); poll the job."""
        study = get_object_or_404(Study, pk=pk)
        data = ReportJobInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.report_job_create(
            study=study,
            include_simulated=data.validated_data["include_simulated"],
            user=request.user,
        )
        return Response(ReportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ReportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Report jobs, newest first; poll one until its status is succeeded (or failed)."""

    queryset = ReportJob.objects.order_by("-created_at", "-pk")
    serializer_class = ReportJobSerializer
    filterset_class = ReportJobFilter


class ReportFileApi(APIView):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file (CSV, HTML, SVG or PNG)"
            )
        }
    )
    def get(self, request: Request, pk: int, filename: str) -> FileResponse:
        """One file of a finished report job, by the name its ``files`` list gives."""
        job = get_object_or_404(ReportJob, pk=pk)
        if filename not in job.files:  # only the job's own files, never a path of the caller's
            raise NotFound(
                _("Report job %(id)d has no file %(name)r.") % {"id": job.pk, "name": filename}
            )
        path = Path(settings.MEDIA_ROOT) / job.folder / filename
        if not path.is_file():
            raise NotFound(_("The file %(name)r is gone.") % {"name": filename})
        return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
