"""The GP pages: an invitation link, then language, consent, profile, the study and its cases.

A GP has no login: the link binds the browser session to one participant. Nothing here may
send the diagnosis of a case, its image's name or ISIC id, or another reader's answers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from contests.clock import seconds_left
from contests.forms.gp import (
    CONFIDENCE_CHOICES,
    AnswerForm,
    ConfidenceForm,
    ConsentForm,
    LanguageForm,
    ProfileForm,
    ReminderForm,
    TimeoutForm,
)
from contests.models import Invitation, Participant, Phase, Reading, StudyStatus
from contests.selectors.designs import participant_next_session, reading_awaiting_confidence
from contests.selectors.participant import (
    case_image_file,
    participant_for_session,
    participant_phase_total,
    participant_progress,
    participant_score,
)
from contests.services.confidence import reading_confidence_set
from contests.services.content import (
    participant_consent_renew,
    participant_needs_consent,
    participant_withdraw,
)
from contests.services.errors import (
    AlreadyDeclined,
    ContestError,
    InvitationInvalid,
    NotYetDue,
    PhaseLocked,
    ReadingClosed,
)
from contests.services.invitations import invitation_accept, invitation_decline, invitation_redeem
from contests.services.participants import participant_profile_update, participant_touch
from contests.services.readings import (
    reading_serve_next,
    reading_submit_and_serve_next,
    reading_time_out,
)
from contests.services.sessions import participant_reminder_set
from lesions.codes import DIAGNOSES
from lesions.models import Diagnosis
from lesions.serving import stored_image_response

SESSION_INVITATION = "take_invitation"
SESSION_PARTICIPANT = "take_participant"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# "Last seen" is for the researcher's overview: once a minute is plenty, and every answer or
# case served notes it anyway (the reader's row lock writes it).
TOUCH_INTERVAL = timedelta(minutes=1)

GPView = Callable[..., HttpResponse]


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware, which sets ``request.htmx``."""

    htmx: HtmxDetails


def _set_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _session_invitation(request: HtmxHttpRequest) -> Invitation | None:
    pk = request.session.get(SESSION_INVITATION)
    if pk is None:
        return None
    invitation = Invitation.objects.select_related("study").filter(pk=pk).first()
    if invitation is None or invitation.revoked_at is not None:
        return None
    return invitation


def _session_participant(request: HtmxHttpRequest) -> Participant | None:
    """The session's participant, checked against its invitation in the database on every
    request (the session holds ids only, and is trusted for nothing more)."""
    invitation_id = request.session.get(SESSION_INVITATION)
    participant_id = request.session.get(SESSION_PARTICIPANT)
    if invitation_id is None or participant_id is None:
        return None
    return participant_for_session(participant_id=participant_id, invitation_id=invitation_id)


def _no_session(request: HtmxHttpRequest) -> HttpResponse:
    """The answer to a request without a participant: ask for the link again."""
    if request.htmx:
        # htmx does not swap error pages: reload, and the full page explains.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "contests/gp/no_session.html", status=403)


def participant_required(view: GPView) -> GPView:
    """Pass the session's participant to the view; without one, ask for the link again."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        participant = _session_participant(request)
        if participant is None:
            return _no_session(request)
        if participant.withdrawn_at is not None:
            return _withdrawn(request)
        now = timezone.now()
        seen = participant.last_seen_at
        if seen is None or now - seen >= TOUCH_INTERVAL:
            participant_touch(participant=participant, now=now)
        # A new consent text: agree again before anything else, except to finish the case
        # on screen (its answer, timeout or confidence is kept; the next case waits).
        if view.__name__ not in CONSENT_PENDING_VIEWS and participant_needs_consent(participant):
            return _consent_again(request)
        return view(request, participant, *args, **kwargs)

    return wrapper


# The views that still work while a new consent text waits: those that close the case on
# screen, and the page that asks for the new consent.
CONSENT_PENDING_VIEWS = frozenset({"answer", "timeout", "confidence", "consent_again"})


def _go_to(request: HtmxHttpRequest, name: str) -> HttpResponse:
    """Send the reader to a whole page: htmx, which would swap it into the case's place, is
    told to follow with a full page load instead."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(name)
        return response
    return redirect(name)


def _consent_again(request: HtmxHttpRequest) -> HttpResponse:
    return _go_to(request, "take:consent_again")


def _withdrawn(request: HtmxHttpRequest) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "contests/gp/withdrawn.html", status=403)


def invitation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The link itself: check it, bind this browser to it, and send the reader on."""
    try:
        found = invitation_redeem(token=token, now=timezone.now())
    except InvitationInvalid as error:
        return render(request, "contests/gp/link_invalid.html", {"reason": str(error)}, status=404)
    # A new session key on every arrival through a link (no session fixation), and this link's
    # reader only; a researcher's own login in the same browser is kept.
    request.session.cycle_key()
    request.session[SESSION_INVITATION] = found.pk
    request.session.pop(SESSION_PARTICIPANT, None)
    if found.participant is None:
        return redirect("take:language")
    request.session[SESSION_PARTICIPANT] = found.participant_id
    return _set_language(redirect("take:home"), found.participant.language)


@require_http_methods(["GET", "POST"])
def language(request: HtmxHttpRequest) -> HttpResponse:
    invitation = _session_invitation(request)
    if invitation is None:
        return render(request, "contests/gp/no_session.html", status=403)
    participant = _session_participant(request)
    offered = [
        (code, name) for code, name in settings.LANGUAGES if code in invitation.study.languages
    ]
    form = LanguageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["language"]
        if participant is not None:
            participant.language = chosen
            participant.save(update_fields=["language"])
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("take:home" if participant else "take:consent")
        translation.activate(chosen)
        return _set_language(redirect(target), chosen)
    return render(request, "contests/gp/language.html", {"languages": offered})


@require_http_methods(["GET", "POST"])
def consent(request: HtmxHttpRequest) -> HttpResponse:
    invitation = _session_invitation(request)
    if invitation is None:
        return render(request, "contests/gp/no_session.html", status=403)
    if invitation.participant_id is not None:
        return redirect("take:home")
    study = invitation.study
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        version = form.cleaned_data["version"]
        try:
            if form.cleaned_data["decision"] == "decline":
                # Declining twice stores nothing more; the reader sees the same polite end.
                with contextlib.suppress(AlreadyDeclined):
                    invitation_decline(invitation=invitation, consent_version=version, now=now)
                request.session.flush()
                return render(request, "contests/gp/declined.html")
            participant = invitation_accept(
                invitation=invitation,
                consent_version=version,
                language=translation.get_language() or "en",
                now=now,
            )
        except ContestError:
            # The text changed while the page was open: show the current one.
            return redirect("take:consent")
        request.session[SESSION_PARTICIPANT] = participant.pk
        return redirect("take:profile")
    return render(request, "contests/gp/consent.html", {"study": study})


@require_http_methods(["GET", "POST"])
@participant_required
def consent_again(request: HtmxHttpRequest, participant: Participant) -> HttpResponse:
    """The study's consent text changed since the reader agreed: agree again, or stop. Their
    earlier answers stay as they are either way."""
    if not participant_needs_consent(participant):
        return redirect("take:home")
    study = participant.study
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        version = form.cleaned_data["version"]
        try:
            if form.cleaned_data["decision"] == "decline":
                participant_withdraw(participant=participant, consent_version=version, now=now)
                request.session.flush()
                return render(request, "contests/gp/withdrawn.html")
            participant_consent_renew(participant=participant, consent_version=version, now=now)
        except ContestError:
            return redirect("take:consent_again")  # changed again while the page was open
        return redirect("take:home")
    context = {"study": study, "previous_version": participant.consent_version}
    return render(request, "contests/gp/consent_again.html", context)


@require_http_methods(["GET", "POST"])
@participant_required
def profile(request: HtmxHttpRequest, participant: Participant) -> HttpResponse:
    initial = {
        "years_in_practice": participant.years_in_practice,
        "specialty": participant.specialty,
        "dermoscopy_training": participant.dermoscopy_training,
        "country": participant.country,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        participant_profile_update(participant=participant, now=timezone.now(), **form.cleaned_data)
        return redirect("take:home")
    return render(request, "contests/gp/profile.html", {"form": form})


@participant_required
def home(request: HtmxHttpRequest, participant: Participant) -> HttpResponse:
    if participant.profile_completed_at is None:
        return redirect("take:profile")
    study = participant.study
    now = timezone.now()
    progress = participant_progress(participant=participant, now=now)
    context: dict[str, Any] = {
        "study": study,
        "participant": participant,
        "progress": progress,
        "all_done": bool(progress) and all(p.is_done for p in progress),
        "closed": study.status == StudyStatus.CLOSED,
        # Study designs: when a crossover's next session opens, and its optional reminder.
        "next_session": participant_next_session(participant=participant, now=now),
        "reminder_form": ReminderForm(),
    }
    if context["closed"] and study.show_score_after_close:
        context["score"] = participant_score(participant=participant)
    return render(request, "contests/gp/home.html", context)


def _hint_context(hint: dict[str, Any] | None) -> dict[str, Any] | None:
    if hint is None:
        return None
    rows = [
        {"name": Diagnosis(code).label, "percent": round(100 * hint["probabilities"][code])}
        for code in DIAGNOSES
    ]
    return {
        "style": hint["style"],
        "model": hint["model"],
        "top_name": Diagnosis(hint["top"]).label,
        "top_percent": round(100 * hint["top_probability"]),
        "rows": rows,
    }


def _case_context(participant: Participant, phase: Phase, reading: Reading) -> dict[str, Any]:
    image = reading.case.image
    grace = phase.study.grace_seconds
    return {
        "phase": phase,
        "reading": reading,
        "case_key": reading.case.key,
        "number": reading.position + 1,
        "total": participant_phase_total(participant=participant, phase=phase),
        "age": None if image.age is None else round(image.age),
        "sex": None if image.sex == "unknown" else image.get_sex_display(),
        "site": None if image.localization == "unknown" else image.get_localization_display(),
        "seconds_left": seconds_left(now=timezone.now(), until=reading.display_deadline(grace)),
        "hint": _hint_context(reading.hint),
        "buttons": [(str(i + 1), Diagnosis(code).label) for i, code in enumerate(DIAGNOSES)],
    }


def _phase_done_context(participant: Participant, phase: Phase) -> dict[str, Any]:
    progress = participant_progress(participant=participant, now=timezone.now())
    following = next(
        (
            p
            for p in progress
            if p.phase.order > phase.order and not p.is_done and not p.lock_reason
        ),
        None,
    )
    return {
        "phase": phase,
        "next_phase": following.phase if following else None,
        # Study designs: a crossover's next session, once its washout is known.
        "next_session": participant_next_session(participant=participant, now=timezone.now()),
    }


def _phase(participant: Participant, order: int) -> Phase:
    return get_object_or_404(
        Phase.objects.select_related("study"), study=participant.study, order=order
    )


def _locked(request: HtmxHttpRequest, reason: str) -> HttpResponse:
    messages.info(request, reason)
    return _go_to(request, "take:home")


def _served(
    request: HtmxHttpRequest, participant: Participant, phase: Phase, reading: Reading | None
) -> HttpResponse:
    """The page (or, for htmx, the fragment) of the case to read now, or of the phase done.

    Never stored by a browser or a proxy: a case page is only for now (the clock runs)."""
    if reading is None:
        template = "contests/gp/_phase_done.html" if request.htmx else "contests/gp/phase_done.html"
        response = render(request, template, _phase_done_context(participant, phase))
    else:
        template = "contests/gp/_case.html" if request.htmx else "contests/gp/phase.html"
        response = render(request, template, _case_context(participant, phase, reading))
    add_never_cache_headers(response)
    return response


def _serve(request: HtmxHttpRequest, participant: Participant, phase: Phase) -> HttpResponse:
    """The page (or, for htmx, the fragment) of the case to read now."""
    if participant_needs_consent(participant):
        return _consent_again(request)
    asking = _confidence_page(request, participant, phase)  # study option: "How sure are you?"
    if asking is not None:
        return asking
    try:
        reading = reading_serve_next(participant=participant, phase=phase, now=timezone.now())
    except PhaseLocked as error:
        return _locked(request, str(error))
    return _served(request, participant, phase, reading)


@participant_required
def phase(request: HtmxHttpRequest, participant: Participant, order: int) -> HttpResponse:
    if participant.profile_completed_at is None:
        return redirect("take:profile")
    return _serve(request, participant, _phase(participant, order))


def _reading(participant: Participant, phase: Phase, key: str) -> Reading:
    return get_object_or_404(
        Reading.objects.select_related("participant", "case__phase__study"),
        participant=participant,
        case__phase=phase,
        case__key=key,
    )


def _after_post(request: HtmxHttpRequest, participant: Participant, phase: Phase) -> HttpResponse:
    if request.htmx:
        return _serve(request, participant, phase)
    # Without htmx: post, then redirect, so that a reload never posts again.
    return redirect("take:phase", order=phase.order)


@require_POST
@participant_required
def answer(request: HtmxHttpRequest, participant: Participant, order: int) -> HttpResponse:
    """The answer and, for htmx, the next case in the same response (one transaction).

    A case closed meanwhile (another tab, or the clock) keeps its answer: the reader goes on."""
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose one of the seven diagnoses."))
    # Study option: "How sure are you?" comes after the answer and before the next case, whose
    # clock must not start while the reader is still on the question.
    asks_confidence = participant.study.asks_confidence
    try:
        result = reading_submit_and_serve_next(
            participant=participant,
            phase_order=order,
            case_key=form.cleaned_data["case"],
            diagnosis=form.cleaned_data["diagnosis"],
            now=timezone.now(),
            serve_next=(
                bool(request.htmx)
                and not asks_confidence
                and not participant_needs_consent(participant)
            ),
        )
    except Reading.DoesNotExist:
        raise Http404 from None
    if not request.htmx:
        # Without htmx: post, then redirect, so that a reload never posts again.
        return redirect("take:phase", order=result.phase.order)
    if asks_confidence or participant_needs_consent(participant):
        return _serve(request, participant, result.phase)
    if result.locked is not None:
        return _locked(request, result.locked)
    return _served(request, participant, result.phase, result.reading)


@require_POST
@participant_required
def timeout(request: HtmxHttpRequest, participant: Participant, order: int) -> HttpResponse:
    phase = _phase(participant, order)
    form = TimeoutForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Which case?"))
    reading = _reading(participant, phase, form.cleaned_data["case"])
    try:
        reading_time_out(reading=reading, now=timezone.now())
    except NotYetDue:
        # The page's clock ran ahead of the server's: serve the same case with its time left.
        pass
    except ContestError:
        return HttpResponseBadRequest(_("This case has no time limit."))
    return _after_post(request, participant, phase)


def case_image(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """A case's image, only while that case is open for the session's reader: served, not
    closed, and not past its deadline (even before the next request closes the case). Never
    stored. The session's participant is checked in the same query as the case (one query
    where ``participant_required`` would take two); only a refusal looks at it alone, to answer
    as ``participant_required`` does."""
    invitation_id = request.session.get(SESSION_INVITATION)
    participant_id = request.session.get(SESSION_PARTICIPANT)
    if invitation_id is not None and participant_id is not None:
        file_name = case_image_file(
            participant_id=participant_id,
            invitation_id=invitation_id,
            case_key=key,
            now=timezone.now(),
        )
        if file_name is not None:
            return stored_image_response(file_name, cache_control="no-store")
        if _session_participant(request) is not None:
            raise Http404
    return _no_session(request)


# ---------------------------------------------------------------- study designs and options


def _confidence_page(
    request: HtmxHttpRequest, participant: Participant, phase: Phase
) -> HttpResponse | None:
    """Where the study asks "How sure are you?", the question after an answer, before the next
    case (the answer is in: the case's clock no longer runs)."""
    reading = reading_awaiting_confidence(participant=participant, phase=phase)
    if reading is None:
        return None
    template = "contests/gp/_confidence.html" if request.htmx else "contests/gp/confidence.html"
    context = {"phase": phase, "case_key": reading.case.key, "levels": CONFIDENCE_CHOICES}
    return render(request, template, context)


@require_POST
@participant_required
def confidence(request: HtmxHttpRequest, participant: Participant, order: int) -> HttpResponse:
    phase = _phase(participant, order)
    form = ConfidenceForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose how sure you are, from 1 to 5."))
    reading = _reading(participant, phase, form.cleaned_data["case"])
    try:
        reading_confidence_set(
            reading=reading, confidence=form.cleaned_data["confidence"], now=timezone.now()
        )
    except ReadingClosed:
        pass  # given meanwhile in another tab: the reader simply goes on
    except ContestError:
        return HttpResponseBadRequest(_("This answer has no confidence to give."))
    return _after_post(request, participant, phase)


@require_POST
@participant_required
def reminder(request: HtmxHttpRequest, participant: Participant) -> HttpResponse:
    """The optional e-mail reminder that a crossover's next session is open."""
    form = ReminderForm(request.POST)
    if form.is_valid():
        try:
            participant_reminder_set(
                participant=participant, email=form.cleaned_data["email"], now=timezone.now()
            )
        except ContestError as error:
            messages.error(request, str(error))
        else:
            if form.cleaned_data["email"]:
                messages.success(request, _("We will write to you when your next session opens."))
            else:
                messages.info(request, _("No reminder will be sent."))
    else:
        messages.error(request, _("This is not an e-mail address."))
    return redirect("take:home")
