"""A researcher's personal API tokens: made (shown once), listed, revoked."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import researcher_required
from core.forms import ApiTokenForm
from core.models import ApiToken
from core.services import TokenError, api_token_create, api_token_revoke


@researcher_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The researcher's own tokens; a new one is shown on this page once, never again."""
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        days = form.cleaned_data["expires_in_days"]
        user = request.user
        assert isinstance(user, AbstractBaseUser)  # researcher_required let only users in
        try:
            _token, new_token = api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                now=now,
                expires_at=now + timedelta(days=days) if days else None,
            )
        except TokenError as error:
            form.add_error(None, str(error))
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(
        request, "core/api_tokens.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )
    response["Cache-Control"] = "no-store"
    return response


@researcher_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    name = token.name
    api_token_revoke(token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": name})
    return redirect("core:api_tokens")
