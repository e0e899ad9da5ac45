"""Researcher pages of the gan app."""

from django.urls import path

from gan import views

app_name = "gan"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/status/", views.run_status, name="status"),
    path("runs/<int:pk>/losses.png", views.loss_plot, name="losses"),
    path("runs/<int:pk>/grids/<str:name>", views.grid, name="grid"),
    path("images/<int:pk>.jpg", views.generated_image, name="image"),
]
