"""URLs of the analysis API (see the package's docstring for the map)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from analysis.api.planning import StudyPlanApi
from analysis.api.reports import ReportFileApi, ReportJobCreateApi, ReportJobViewSet
from analysis.api.summary import StudyExportApi, StudySummaryApi

router = SimpleRouter()
router.register("reports", ReportJobViewSet, basename="analysis-report")

urlpatterns: list[URLPattern | URLResolver] = [
    path("plan/", StudyPlanApi.as_view(), name="analysis-plan"),
    path("studies/<int:pk>/summary/", StudySummaryApi.as_view(), name="analysis-study-summary"),
    path(
        "studies/<int:pk>/exports/<str:name>.csv",
        StudyExportApi.as_view(),
        name="analysis-study-export",
    ),
    path("studies/<int:pk>/reports/", ReportJobCreateApi.as_view(), name="analysis-report-create"),
    path(
        "reports/<int:pk>/files/<str:filename>",
        ReportFileApi.as_view(),
        name="analysis-report-file",
    ),
    *router.urls,
]
