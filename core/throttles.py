"""DRF throttles counted in the "limits" cache, like the GP pages' limits (Redis in production).

Every API endpoint needs a researcher, so callers without one are refused (401/403) before a
throttle would count them; researchers are throttled per account.
"""

from __future__ import annotations

from django.core.cache import caches
from rest_framework.throttling import UserRateThrottle


class ResearcherRateThrottle(UserRateThrottle):
    """Per researcher (token or session): scripts pulling results are fine, a runaway loop not."""

    cache = caches["limits"]
