"""``Authorization: Token <token>``: a researcher's personal token (core.models.ApiToken).

knox does the finding and checking (one indexed query on the token's first characters, then a
constant-time comparison of digests; expired tokens are deleted as they are met). On top of it,
each successful check records when the token was last used, at most once a minute.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication

from core.models import ApiToken
from core.services import api_token_touch


class ApiTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token: ApiToken) -> tuple[Any, ApiToken]:
        user, token = super().validate_user(auth_token)
        api_token_touch(token=token, now=timezone.now())
        return user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The scheme as the schema shows it (Swagger UI's "Authorize" asks for ``Token <token>``)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Token",  # noqa: S106 - the header's scheme word, not a secret
        )
        scheme["description"] = (
            "A personal token from the researcher's tokens page, sent as "
            "`Authorization: Token <token>`."
        )
        return scheme
