"""Researcher pages of the classifier app."""

from django.urls import path

from classifier import views

app_name = "classifier"
urlpatterns = [
    path("", views.index, name="index"),
]
