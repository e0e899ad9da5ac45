"""Researcher pages of the contests app."""

from django.urls import path

from contests.views import researcher as views

app_name = "contests"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.study_new, name="study_new"),
    path("new/preset/", views.study_new_preset, name="study_new_preset"),
    path("<int:pk>/", views.study_detail, name="study"),
    path("<int:pk>/texts/", views.study_texts, name="study_texts"),
    path("<int:pk>/phases/", views.phase_add, name="phase_add"),
    path("<int:pk>/phases/<int:phase_pk>/", views.phase_edit, name="phase_edit"),
    path("<int:pk>/phases/<int:phase_pk>/draw/", views.phase_draw, name="phase_draw"),
    path("<int:pk>/phases/<int:phase_pk>/up/", views.phase_move, {"step": -1}, name="phase_up"),
    path("<int:pk>/phases/<int:phase_pk>/down/", views.phase_move, {"step": 1}, name="phase_down"),
    path("<int:pk>/open/", views.study_set_status, {"action": "open"}, name="study_open"),
    path("<int:pk>/close/", views.study_set_status, {"action": "close"}, name="study_close"),
    path("<int:pk>/invitations/", views.invitations_create, name="invitations_create"),
    path("<int:pk>/progress/", views.study_progress_page, name="progress"),
    path(
        "<int:pk>/progress/<int:participant_pk>/",
        views.participant_detail,
        name="participant",
    ),
]
