"""Researcher pages of the gan app."""

from django.urls import path

from gan import views

app_name = "gan"
urlpatterns = [
    path("", views.index, name="index"),
]
