"""Invitation links: made in batches, shown once, bound to one participant at consent."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from contests.models import ConsentRefusal, Invitation, Participant, Study, StudyStatus
from contests.services.errors import AlreadyDeclined, ContestError, InvitationInvalid
from contests.services.locking import lock_row
from contests.services.participants import (
    consent_refuse,
    consent_version_check,
    participant_create,
)

MAX_BATCH = 1000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create_batch(
    *,
    study: Study,
    n: int,
    now: datetime,
    expires_at: datetime | None = None,
    label: str = "",
) -> list[tuple[Invitation, str]]:
    """``n`` new links as (invitation, token). The tokens exist only in this return value."""
    if not 1 <= n <= MAX_BATCH:
        raise ContestError(
            _("Make between 1 and %(most)s invitations at a time, not %(n)s.")
            % {"most": MAX_BATCH, "n": n}
        )
    if expires_at is not None and expires_at <= now:
        raise ContestError(_("The expiry must be in the future."))
    made = []
    for _i in range(n):
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            study=study,
            token_hash=token_hash(token),
            label=label,
            created_at=now,
            expires_at=expires_at,
        )
        made.append((invitation, token))
    return made


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, now: datetime) -> Invitation:
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_tokens_renew(
    *, invitations: Sequence[Invitation], now: datetime
) -> list[tuple[Invitation, str]]:
    """New tokens for links that were made but never delivered (a lost response): the old
    tokens stop working. Refused for a link already used or revoked, whose holder has it."""
    renewed = []
    for invitation in invitations:
        lock_row(Invitation, invitation.pk, "token_hash")
        invitation.refresh_from_db()
        if invitation.used_at is not None or invitation.revoked_at is not None:
            raise ContestError(
                _("Invitation %(id)d is already used or revoked.") % {"id": invitation.pk}
            )
        if invitation.is_expired(now):
            raise ContestError(_("Invitation %(id)d has expired.") % {"id": invitation.pk})
        token = secrets.token_urlsafe(32)
        invitation.token_hash = token_hash(token)
        invitation.save(update_fields=["token_hash"])
        renewed.append((invitation, token))
    return renewed


def invitation_redeem(*, token: str, now: datetime) -> Invitation:
    """The invitation a link names, if it may be used now; ``InvitationInvalid`` otherwise.

    Writes nothing: a link is bound to a participant only when its holder consents
    (``invitation_accept``), so that a refusal leaves nothing behind but the refusal.
    """
    invitation = (
        Invitation.objects.select_related("study", "participant")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(_("This link is not valid."))
    if invitation.revoked_at is not None:
        raise InvitationInvalid(_("This link has been withdrawn."))
    if invitation.is_expired(now):
        raise InvitationInvalid(_("This link has expired."))
    status = invitation.study.status
    # A reader who took part may come back to a closed study (to see it is over, or their score).
    if status != StudyStatus.OPEN and not (
        status == StudyStatus.CLOSED and invitation.participant_id is not None
    ):
        raise InvitationInvalid(_("This study is not open."))
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, consent_version: str, language: str, now: datetime
) -> Participant:
    """Consent given through a link: the link's participant, created and bound on first use."""
    lock_row(Invitation, invitation.pk, "token_hash")
    invitation = Invitation.objects.select_related("study").get(pk=invitation.pk)
    if invitation.participant_id is not None:
        return Participant.objects.get(pk=invitation.participant_id)
    if invitation.revoked_at is not None or invitation.is_expired(now):
        raise InvitationInvalid(_("This link is no longer valid."))
    participant = participant_create(
        study=invitation.study, consent_version=consent_version, language=language, now=now
    )
    invitation.participant = participant
    invitation.used_at = now
    invitation.save(update_fields=["participant", "used_at"])
    return participant


@transaction.atomic
def invitation_decline(
    *, invitation: Invitation, consent_version: str, now: datetime
) -> ConsentRefusal:
    """Consent declined through a link: only the refusal is stored; the link stays unused.

    Refused with ``ConsentError`` unless ``consent_version`` is the study's current text (the
    version the page showed), and with ``AlreadyDeclined`` for a link that declined before:
    one link, one refusal, so refusals cannot be forged or repeated.
    """
    lock_row(Invitation, invitation.pk, "token_hash")
    invitation = Invitation.objects.select_related("study").get(pk=invitation.pk)
    consent_version_check(study=invitation.study, consent_version=consent_version, declined=True)
    if invitation.declined_at is not None:
        raise AlreadyDeclined(_("This link has already declined to take part."))
    if invitation.participant_id is not None:
        raise InvitationInvalid(_("This link has already consented."))
    invitation.declined_at = now
    invitation.save(update_fields=["declined_at"])
    return consent_refuse(study=invitation.study, consent_version=consent_version, now=now)
