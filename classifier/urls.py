"""Researcher pages of the classifier app."""

from django.urls import path

from classifier import views

app_name = "classifier"
urlpatterns = [
    path("", views.index, name="index"),
    path("experiments/new/", views.experiment_new, name="experiment-new"),
    path("experiments/<int:pk>/", views.experiment_detail, name="experiment"),
    path("experiments/<int:pk>/queue/", views.experiment_queue, name="experiment-queue"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/status/", views.run_status, name="run-status"),
    path("runs/<int:pk>/curves.svg", views.run_curves, name="run-curves"),
    path("try/", views.try_model, name="try"),
]
