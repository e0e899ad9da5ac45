"""Researcher pages of the lesions app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.decorators import researcher_required


@researcher_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "lesions/index.html")


@researcher_required
def image(request: HttpRequest, public_id: str) -> HttpResponse:
    raise NotImplementedError
