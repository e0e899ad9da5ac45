"""Top-level URLs. Researcher pages per app, the GP pages under /take/, the API under /api/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core import views as core_views

api_patterns: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("lesions/", include("lesions.api")),
    path("classifier/", include("classifier.api")),
    path("gan/", include("gan.api")),
    path("contests/", include("contests.api.urls")),
    path("analysis/", include("analysis.api.urls")),
]

urlpatterns = [
    path("", core_views.home, name="home-root"),
    path("", include("core.urls")),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(api_patterns)),
    path("lesions/", include("lesions.urls")),
    path("classifier/", include("classifier.urls")),
    path("gan/", include("gan.urls")),
    path("contests/", include("contests.urls.researcher")),
    path("analysis/", include("analysis.urls")),
    path("take/", include("contests.urls.gp")),
]

admin.site.site_header = "Skin-lesion reader study: administration"
admin.site.site_title = "Reader study admin"

# Error pages in the reader's language, safe when the database is down (core/views.py).
handler400 = "core.views.errors.bad_request"
handler403 = "core.views.errors.permission_denied"
handler404 = "core.views.errors.page_not_found"
handler500 = "core.views.errors.server_error"
