"""The GP pages: reached through an invitation link, never with a login."""

from django.urls import path

from contests.views import gp as views

app_name = "take"
urlpatterns = [
    path("i/<str:token>/", views.invitation, name="invitation"),
    path("language/", views.language, name="language"),
    path("consent/", views.consent, name="consent"),
    path("consent/again/", views.consent_again, name="consent_again"),
    path("profile/", views.profile, name="profile"),
    path("", views.home, name="home"),
    path("phase/<int:order>/", views.phase, name="phase"),
    path("phase/<int:order>/answer/", views.answer, name="answer"),
    path("phase/<int:order>/timeout/", views.timeout, name="timeout"),
    path("phase/<int:order>/confidence/", views.confidence, name="confidence"),
    path("reminder/", views.reminder, name="reminder"),
    path("image/<str:key>/", views.case_image, name="image"),
]
