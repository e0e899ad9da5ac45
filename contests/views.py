"""Researcher pages of the contests app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.decorators import researcher_required


@researcher_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "contests/index.html")
