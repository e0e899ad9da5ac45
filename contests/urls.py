"""Researcher pages of the contests app."""

from django.urls import path

from contests import views

app_name = "contests"
urlpatterns = [
    path("", views.index, name="index"),
]
