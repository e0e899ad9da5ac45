"""Personal API tokens: made (shown once), revoked, and their last use recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import ApiToken

# A token's last use is written at most this often: one UPDATE per call would be one too many.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
TOKEN_NAME_LENGTH = 100


class TokenError(ValueError):
    """A token that cannot be made as asked."""


@transaction.atomic
def api_token_create(
    *, user: AbstractBaseUser, name: str, now: datetime, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``: (row, token). The token exists only in this return value."""
    name = name.strip()
    if not name or len(name) > TOKEN_NAME_LENGTH:
        raise TokenError(_("Name the token (at most %(n)d characters).") % {"n": TOKEN_NAME_LENGTH})
    if expires_at is not None and expires_at <= now:
        raise TokenError(_("The expiry must be in the future."))
    token, secret = ApiToken.objects.create(user=user, expiry=None, name=name)
    if expires_at is not None:
        token.expiry = expires_at
        token.save(update_fields=["expiry"])
    return token, secret


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoked at once: the row goes, and with it the only way to check the token."""
    token.delete()


def api_token_touch(*, token: ApiToken, now: datetime) -> None:
    """Record a use of ``token``, unless one was recorded less than a minute ago."""
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
