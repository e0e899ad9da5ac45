"""The schema's view of every operation: its problem-details errors and its Idempotency-Key.

Every operation may answer 401 and 403 (researchers only); one with an id in its path 404; a
write, or a list with filters, 400; a write 409 (a state that forbids it); an idempotent create
422. All of them as ``ProblemSerializer`` in ``application/problem+json``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER
from core.api.problems import PROBLEM_CONTENT_TYPE, ProblemSerializer

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ProblemAutoSchema(AutoSchema):
    def _view_method(self) -> Any:
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    def _is_idempotent(self) -> bool:
        return bool(getattr(self._view_method(), "idempotent", False))

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        if self._is_idempotent():
            parameters.append(IDEMPOTENCY_KEY_PARAMETER)
        return parameters

    def _problem_codes(self) -> list[str]:
        codes = ["401", "403"]
        if "{" in self.path:
            codes.append("404")
        if self.method in WRITES or self.get_filter_backends():
            codes.append("400")
        if self.method in WRITES:
            codes.append("409")
        if self._is_idempotent():
            codes.append("422")
        return codes

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        for code in self._problem_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ProblemSerializer, code, media_types=[PROBLEM_CONTENT_TYPE]
                )
        return responses
