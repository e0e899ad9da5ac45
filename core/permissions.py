"""Who is a researcher: staff, or a member of the ``researchers`` group. GPs never log in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from rest_framework.permissions import BasePermission

RESEARCHERS_GROUP = "researchers"


def is_researcher(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff or user.groups.filter(name=RESEARCHERS_GROUP).exists())


class ResearcherRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """For class-based researcher pages: anonymous users go to the login page, others get 403."""

    def test_func(self) -> bool:
        return is_researcher(self.request.user)  # type: ignore[attr-defined]  # the view it mixes into has the request


class IsResearcher(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return is_researcher(request.user)
