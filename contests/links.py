"""Invitation links as a researcher hands them out: absolute URLs, and a CSV of them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.urls import reverse

from contests.models import Invitation
from core.csv import escape_formula

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def invitation_link(*, token: str, base_url: str = DEFAULT_BASE_URL) -> str:
    return base_url.rstrip("/") + reverse("take:invitation", kwargs={"token": token})


def invitations_csv(
    *, made: Sequence[tuple[Invitation, str]], base_url: str = DEFAULT_BASE_URL
) -> str:
    """One row per new link: id, label, expiry, link. The only place the tokens are written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["invitation_id", "study_id", "label", "expires_at", "link"])
    for invitation, token in made:
        writer.writerow(
            [
                invitation.pk,
                invitation.study_id,
                escape_formula(invitation.label),
                invitation.expires_at.isoformat() if invitation.expires_at else "",
                invitation_link(token=token, base_url=base_url),
            ]
        )
    return buffer.getvalue()
