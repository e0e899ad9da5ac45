"""Views of the core app: the researcher's front page and health check (``pages``), their
API tokens (``tokens``), and the error pages (``errors``)."""

from core.views.pages import healthz, home
from core.views.tokens import api_token_revoke_view, api_tokens

__all__ = ["api_token_revoke_view", "api_tokens", "healthz", "home"]
