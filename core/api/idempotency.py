"""Idempotent creates: a POST that carries an ``Idempotency-Key`` header runs once.

The first request with a key runs and its successful response is kept (core.models
.IdempotentResponse) for ``IDEMPOTENCY_KEY_TTL_HOURS``, under the user, the path and the key's
hash. A retry with the same key and body gets that response again, marked ``Idempotent-Replayed:
true``, and creates nothing; the same key with another body is refused (422). Two requests with
one key at the same moment are serialised by the row's unique constraint: the second waits for
the first to commit, then replays it. Errors are not kept: a retry after one runs again.

Views opt in with ``@idempotent()`` on the method that creates. A response holding something
shown only once (invitation links) is kept without it (``store``) and rebuilt on a retry
(``replay``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.problems import KeyReused
from core.models import IdempotentResponse

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique string per intended create (a UUID). A retry with the same key and body "
        "returns the first response (header `Idempotent-Replayed: true`) and creates nothing; "
        "kept for a day."
    ),
)

Method = Callable[..., Response]
M = TypeVar("M", bound=Method)
# What is kept of a response's data, and how a retry's response is built from it.
Store = Callable[[Any], Any]
Replay = Callable[[Any, Request, Any], Response]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def idempotent(*, store: Store | None = None, replay: Replay | None = None) -> Callable[[M], M]:
    def decorate(method: M) -> M:
        @wraps(method)
        def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            raw = request.headers.get(HEADER)
            if raw is None:
                return method(view, request, *args, **kwargs)
            key = raw.strip()
            if not 1 <= len(key) <= MAX_KEY_LENGTH:
                raise ValidationError(
                    {HEADER: [_("Send 1 to %(n)d characters.") % {"n": MAX_KEY_LENGTH}]}
                )
            return _run_once(view, request, key, method, args, kwargs, store, replay)

        wrapper.idempotent = True  # type: ignore[attr-defined]  # read by core.api.schema
        return wrapper  # type: ignore[return-value]  # same signature as the method it wraps

    return decorate


def _run_once(
    view: Any,
    request: Request,
    key: str,
    method: Method,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    store: Store | None,
    replay: Replay | None,
) -> Response:
    user_id = request.user.pk
    assert user_id is not None  # a researcher: the permission ran before the view
    lookup = {"user_id": user_id, "endpoint": request.path[:300], "key_hash": _sha256(key.encode())}
    request_hash = _sha256(request.body)
    now = timezone.now()
    with transaction.atomic():
        IdempotentResponse.objects.filter(
            user_id=user_id,
            created_at__lt=now - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS),
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotentResponse.objects.create(
                    **lookup, request_hash=request_hash, status_code=0, body={}, created_at=now
                )
        except IntegrityError:
            kept = IdempotentResponse.objects.select_for_update().get(**lookup)
            if kept.request_hash != request_hash:
                raise KeyReused() from None
            response = (
                replay(view, request, kept.body)
                if replay
                else Response(kept.body, status=kept.status_code)
            )
            response["Idempotent-Replayed"] = "true"
            return response
        response = method(view, request, *args, **kwargs)
        if not status.is_success(response.status_code):
            transaction.set_rollback(True)  # an error is not kept: a retry runs again
            return response
        record.status_code = response.status_code
        record.body = store(response.data) if store else response.data
        record.save(update_fields=["status_code", "body"])
    return response
