from __future__ import annotations

from django.http import HttpRequest

from core.permissions import is_researcher


def researcher(request: HttpRequest) -> dict[str, bool]:
    return {"is_researcher": is_researcher(getattr(request, "user", None))}
