"""The GP pages: reached through an invitation link, never with a login."""

from django.urls import path

from contests import gp_views

app_name = "take"
urlpatterns = [
    path("i/<str:token>/", gp_views.invitation, name="invitation"),
    path("language/", gp_views.language, name="language"),
    path("consent/", gp_views.consent, name="consent"),
    path("profile/", gp_views.profile, name="profile"),
    path("", gp_views.home, name="home"),
    path("phase/<int:order>/", gp_views.phase, name="phase"),
    path("phase/<int:order>/answer/", gp_views.answer, name="answer"),
    path("phase/<int:order>/timeout/", gp_views.timeout, name="timeout"),
    path("image/<str:key>/", gp_views.case_image, name="image"),
]
