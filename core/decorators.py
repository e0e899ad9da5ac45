"""``researcher_required`` for function views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase

from core.permissions import is_researcher

# Any response: a page, a redirect, a streamed file (FileResponse).
R = TypeVar("R", bound=HttpResponseBase)


def researcher_required(view: Callable[..., R]) -> Callable[..., R | HttpResponseRedirect]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R | HttpResponseRedirect:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_researcher(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
