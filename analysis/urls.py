"""Researcher pages of the analysis app."""

from django.urls import path

from analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.index, name="index"),
    path("dnn/", views.dnn_tables, name="dnn_tables"),
    path("plan/", views.plan, name="plan"),
    path("studies/<int:pk>/", views.study_results, name="study"),
    path("studies/<int:pk>/exports/<str:name>.csv", views.study_export, name="export"),
    path(
        "studies/<int:pk>/plots/<slug:name>.<str:ext>",
        views.study_plot,
        name="plot",
    ),
    path("studies/<int:pk>/reports/", views.report_create, name="report_create"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/files/<str:filename>", views.report_file, name="report_file"),
]
