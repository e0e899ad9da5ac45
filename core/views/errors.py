"""The error pages (400-503) in the reader's language, safe to render with the database down,
and the page a locked-out login sees."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# What each error page says; written for a GP first (researchers read the same words).
ERROR_TEXTS = {
    400: (_("This request could not be read."), _("Go back and try again.")),
    403: (
        _("You do not have access to this page."),
        _("If you are taking part in a study, open your invitation link again."),
    ),
    404: (
        _("This page does not exist."),
        _("Check the address, or open your invitation link again."),
    ),
    411: (_("This request did not say how long it is."), _("Go back and try again.")),
    413: (_("That was too much to send."), _("Go back and try again.")),
    429: (
        _("Too many requests."),
        _("Wait a minute and try again. Your answers so far are saved."),
    ),
    500: (
        _("Something went wrong on our side."),
        _("Your answers so far are saved. Try again in a moment."),
    ),
    503: (
        _("The study is briefly unavailable."),
        _("Your answers so far are saved. Try again in a minute."),
    ),
}
RETRY_AFTER_SECONDS = {429: 60, 503: 30}


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    """The error page in the reader's language, rendered without touching the database (it may
    be the database that failed): no request context, no user, no session."""
    title, advice = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    page = render_to_string(
        "errors/page.html",
        {"status": status, "title": title, "advice": advice, "LANGUAGE_CODE": get_language()},
    )
    response = HttpResponse(page, status=status)
    response["Cache-Control"] = "no-store"
    if status in RETRY_AFTER_SECONDS:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS[status])
    return response


def login_locked_out(
    request: HttpRequest, credentials: object = None, **kwargs: object
) -> HttpResponse:
    """django-axes' lockout: a page that says why and for how long (429)."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when the database could not be reached or timed out: the platform is not
    broken, it is waiting for the database, and the page says so."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError) and isinstance(error, OperationalError | InterfaceError):
        return error_page(request, 503)
    return error_page(request, 500)
