"""Limits on the GP pages, where anyone holding (or guessing) a link can send requests.

- Bodies: a GP page posts a few form fields; a body above ``GP_MAX_BODY_BYTES`` (a file,
  megabytes of text) is refused with 413 before Django reads it, and a body of unstated
  length (chunked) with 411.
- Rate per browser session: a reader answers a case every few seconds at most; a script
  hammering the pages gets 429 pages after ``GP_REQUESTS_PER_MINUTE``.
- Invalid invitation links per address: guessing tokens is slowed to
  ``INVALID_LINKS_PER_MINUTE`` misses a minute; valid links are never counted, so a congress
  hall behind one address can open its links at once.

Counting is django-ratelimit's fixed-window counter in the "limits" cache (Redis in
production, so every gunicorn worker shares the counts). A browser without a session cookie
(a script) is counted by its address.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage

from core.views.errors import error_page

GP_PREFIX = "/take/"
LINK_PREFIX = "/take/i/"


def _session_or_address(group: str, request: HttpRequest) -> str:
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    return f"session:{cookie}" if cookie else f"address:{_address(request)}"


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _by_address(group: str, request: HttpRequest) -> str:
    return _address(request)


def _count(request: HttpRequest, group: str, key: object, rate: str, increment: bool) -> int:
    """Requests counted in this window for the key (after this one, when ``increment``)."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=increment)
    return int(usage["count"]) if usage else 0


class GPRequestLimits:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(GP_PREFIX):
            return self.get_response(request)
        refused = self._refuse_body(request)
        if refused is not None:
            return refused
        link = request.path.startswith(LINK_PREFIX)
        misses = settings.INVALID_LINKS_PER_MINUTE
        if link and _count(request, "gp-links", _by_address, f"{misses}/m", False) >= misses:
            return error_page(request, 429)
        allowed = settings.GP_REQUESTS_PER_MINUTE
        if _count(request, "gp", _session_or_address, f"{allowed}/m", True) > allowed:
            return error_page(request, 429)
        response = self.get_response(request)
        if link and response.status_code == 404:
            _count(request, "gp-links", _by_address, f"{misses}/m", True)
        return response

    @staticmethod
    def _refuse_body(request: HttpRequest) -> HttpResponse | None:
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        stated = request.META.get("CONTENT_LENGTH")
        if not stated and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return error_page(request, 411)
        try:
            length = int(stated or 0)
        except ValueError:
            return error_page(request, 400)
        if length > settings.GP_MAX_BODY_BYTES:
            return error_page(request, 413)
        return None
