"""Researcher pages of the lesions app."""

from django.urls import path

from lesions import views

app_name = "lesions"
urlpatterns = [
    path("", views.index, name="index"),
    path("image/<str:public_id>.jpg", views.image, name="image"),
]
