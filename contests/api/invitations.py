"""Invitations through the API: made in batches (links returned once), listed, revoked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from contests.api.errors import refusals
from contests.api.filters import InvitationFilter
from contests.api.serializers import (
    InvitationSerializer,
    InvitationsInput,
    NewInvitationSerializer,
)
from contests.links import invitation_link
from contests.models import Invitation, Study
from contests.services.invitations import (
    invitation_create_batch,
    invitation_revoke,
    invitation_tokens_renew,
)


def _base_url(request: Request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _batch_response(request: Request, made: list[tuple[Invitation, str]], code: int) -> Response:
    base_url = _base_url(request)
    for invitation, token in made:
        # Read by NewInvitationSerializer's ``link``; never stored.
        invitation.link = invitation_link(token=token, base_url=base_url)  # type: ignore[attr-defined]  # a response-only value
    invitations = [invitation for invitation, _token in made]
    response = Response(
        {"invitations": NewInvitationSerializer(invitations, many=True).data}, status=code
    )
    response["Cache-Control"] = "no-store"
    return response


def invitations_create_response(request: Request, study: Study) -> Response:
    data = InvitationsInput(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    now = timezone.now()
    expires_at = values["expires_at"]
    if values["expires_in_days"]:
        expires_at = now + timedelta(days=values["expires_in_days"])
    with refusals():
        made = invitation_create_batch(
            study=study, n=values["n"], now=now, expires_at=expires_at, label=values["label"]
        )
    return _batch_response(request, made, status.HTTP_201_CREATED)


def invitations_replay(view: Any, request: Request, kept: dict[str, Any]) -> Response:
    """The answer to a retried batch: its invitations again, with new links (only hashes were
    kept, so the first links cannot be shown again; they were never delivered)."""
    invitations = list(Invitation.objects.filter(pk__in=kept["invitations"]).order_by("pk"))
    with refusals():
        renewed = invitation_tokens_renew(invitations=invitations, now=timezone.now())
    return _batch_response(request, renewed, status.HTTP_201_CREATED)


class InvitationViewSet(viewsets.ReadOnlyModelViewSet):
    """Invitations as listed: never a token or a link (those exist only when made)."""

    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter

    def get_queryset(self) -> QuerySet[Invitation]:
        return Invitation.objects.select_related("participant").order_by("study_id", "pk")

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw the link: it stops working at once (a reader who used it keeps their
        readings)."""
        invitation = invitation_revoke(invitation=self.get_object(), now=timezone.now())
        return Response(InvitationSerializer(invitation).data)
