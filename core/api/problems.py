"""Errors as problem details (RFC 9457), served as ``application/problem+json``.

drf-standardized-errors catches every exception of an API view (Django's 404 and permission
errors, DRF's, and unexpected ones, which become a bare 500 without internals); the formatter
here writes its result in the RFC's members::

    {"type": "urn:reader-study:problem:validation-error", "title": "Invalid input",
     "status": 400, "detail": "dataset: Object with name=x does not exist.",
     "instance": "/api/contests/studies/", "errors": [{"attr": "dataset", "code":
     "does_not_exist", "detail": "Object with name=x does not exist."}]}

``type`` is ``about:blank`` for plain HTTP errors (then ``title`` is the status phrase); the
project's own types are URNs listed in docs/api.md. A service's refusal (a rule of the study,
say) reaches the client through ``Refused`` (400) or ``Conflict`` (409), raised by the API views
with the service's own message.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.formatter import ExceptionFormatter, flatten_errors
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:reader-study:problem:"


def problem_type(code: str) -> str:
    return TYPE_PREFIX + code


class Refused(exceptions.APIException):
    """A write that a service refused by the rules (its message says which): 400."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request breaks a rule of the platform.")
    default_code = "refused"
    problem = "refused"


class Conflict(exceptions.APIException):
    """A write that the object's current state forbids (an open study's phases, say): 409."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object's current state does not allow this.")
    default_code = "conflict"
    problem = "conflict"


class KeyReused(exceptions.APIException):
    """An Idempotency-Key sent again with another request body: 422."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was used with another request.")
    default_code = "idempotency_key_reused"
    problem = "idempotency-key-reused"


TITLES = {
    "validation-error": _("Invalid input"),
    "refused": _("Refused by the platform's rules"),
    "conflict": _("Conflict with the current state"),
    "idempotency-key-reused": _("Idempotency-Key reused"),
}


class ProblemHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        # A model's full_clean() or a service's Django ValidationError: the client's input.
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(detail=as_serializer_error(exc))
        converted: Exception = super().convert_known_exceptions(exc)
        return converted

    def get_response(self, exc: exceptions.APIException, data: dict[str, Any]) -> Response:
        request = self.context.get("request")
        renderer = getattr(request, "accepted_renderer", None)
        # The browsable pages keep their HTML; JSON clients get the problem media type.
        content_type = PROBLEM_CONTENT_TYPE if isinstance(renderer, JSONRenderer) else None
        return Response(
            data, status=exc.status_code, headers=self.get_headers(exc), content_type=content_type
        )


class ProblemFormatter(ExceptionFormatter):
    def run(self) -> dict[str, Any]:
        exc = self.exc
        status_code = exc.status_code
        problem: str | None = getattr(exc, "problem", None)
        errors = [
            {"attr": error.attr, "code": error.code, "detail": error.detail}
            for error in flatten_errors(exc.detail)
        ]
        if isinstance(exc, exceptions.ValidationError):
            problem = "validation-error"
            detail = "; ".join(
                f"{error['attr']}: {error['detail']}" if error["attr"] else str(error["detail"])
                for error in errors
            )
        else:
            detail = str(errors[0]["detail"]) if errors else str(exc.detail)
        body: dict[str, Any] = {
            "type": problem_type(problem) if problem else "about:blank",
            "title": str(TITLES[problem]) if problem else HTTPStatus(status_code).phrase,
            "status": status_code,
            "detail": detail,
        }
        request = self.context.get("request")
        if request is not None:
            body["instance"] = request.path
        if isinstance(exc, exceptions.ValidationError):
            body["errors"] = errors
        return body


class FieldErrorSerializer(serializers.Serializer):
    attr = serializers.CharField(
        allow_null=True, help_text=_("The field, dotted for nested ones; null: the whole input")
    )
    code = serializers.CharField()
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error of the API comes."""

    type = serializers.CharField(help_text=_("about:blank, or one of the project's URNs"))
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    errors = FieldErrorSerializer(  # type: ignore[assignment]  # the RFC member's name; DRF's metaclass moves fields off the class, so Serializer.errors is untouched
        many=True, required=False, help_text=_("Field errors (validation errors only)")
    )
