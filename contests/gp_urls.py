"""The GP pages: reached through an invitation link, never with a login."""

app_name = "take"
urlpatterns: list = []  # filled by the app
