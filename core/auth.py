"""Login throttling (django-axes) for logins made through a request.

axes refuses to authenticate without a request; logins made in code (a management command,
Django's test client) have no address to count failures for, so they pass through to the next
backend unchecked. Every login over HTTP has a request and is counted.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
