"""The researcher's front page and a health check for load balancers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from core.decorators import researcher_required
from core.health import health


@researcher_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def healthz(request: HttpRequest) -> JsonResponse:
    """The database, the broker and the media store, as JSON; 503 when any of them is down."""
    ok, checks = health()
    response = JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks})
    response.status_code = 200 if ok else 503
    response["Cache-Control"] = "no-store"
    return response
