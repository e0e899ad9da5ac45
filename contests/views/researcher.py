"""Researcher pages of the contests app: build studies, hand out links, watch progress."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contests.forms.researcher import (
    InvitationsForm,
    PhaseDrawForm,
    PhaseEditForm,
    PhaseForm,
    PresetForm,
    StudyForm,
    StudyTextsForm,
)
from contests.links import invitation_link, invitations_csv
from contests.models import Participant, Phase, Study, StudyStatus
from contests.selectors.designs import study_arm_counts
from contests.selectors.hints import hint_run_for, phase_images_without_hint
from contests.selectors.researcher import (
    invitation_counts,
    participant_readings,
    studies_overview,
    study_phases,
    study_progress,
)
from contests.services.builder import (
    phase_cases_draw,
    phase_create,
    phase_update,
    study_check_draft,
    study_close,
    study_create,
    study_open,
    study_phases_reorder,
)
from contests.services.content import first_language, phase_texts_update, study_texts_update
from contests.services.errors import ContestError
from contests.services.invitations import invitation_create_batch
from contests.services.presets import study_create_from_preset, study_open_waiting_for_hints
from core.decorators import researcher_required


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@researcher_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "contests/index.html", {"studies": studies_overview()})


@researcher_required
def study_new(request: HttpRequest) -> HttpResponse:
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = study_create(**form.cleaned_data)
        except ContestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Study created: add its phases."))
            return redirect("contests:study", pk=study.pk)
    return render(request, "contests/study_new.html", {"form": form})


@researcher_required
def study_new_preset(request: HttpRequest) -> HttpResponse:
    """A ready-made study with its design options: the paper's, counterbalanced, or crossover."""
    form = PresetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hint_run = data["hint_run"] or hint_run_for(dataset=data["dataset"])
        if hint_run is None:
            form.add_error("hint_run", _("No model has predictions for this data set yet."))
        else:
            try:
                study = study_create_from_preset(
                    preset=data["preset"].removesuffix("-counterbalanced"),
                    counterbalanced=data["preset"].endswith("-counterbalanced"),
                    dataset=data["dataset"],
                    hint_run=hint_run,
                    hint_style=data["hint_style"],
                    title=data["title"],
                    scale=data["scale"],
                    seed=data["seed"],
                    washout_days=data["washout_days"],
                    block_size=data["block_size"],
                    asks_confidence=data["asks_confidence"],
                )
            except ContestError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Study created from the preset."))
                return redirect("contests:study", pk=study.pk)
    return render(request, "contests/study_new_preset.html", {"form": form})


def _detail_context(study: Study, **extra: object) -> dict[str, object]:
    phases = list(study_phases(study=study))
    missing = {phase.pk: phase_images_without_hint(phase=phase) for phase in phases}
    for phase in phases:
        # The template shows the count beside the phase's own fields.
        phase.missing_hints = missing[phase.pk]  # type: ignore[attr-defined]  # a page-only value
    return {
        "study": study,
        "phases": phases,
        "invitations": invitation_counts(study=study),
        "hints_missing": any(missing.values()),
        "phase_form": PhaseForm(),
        "invitations_form": InvitationsForm(),
        "arms": study_arm_counts(study=study),
        **extra,
    }


@researcher_required
def study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study.objects.select_related("dataset"), pk=pk)
    return render(request, "contests/study_detail.html", _detail_context(study))


@researcher_required
@require_POST
def phase_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A phase and its cases, drawn from the held-out split, in one step: both or neither."""
    study = get_object_or_404(Study, pk=pk)
    form = PhaseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if study.dataset is None:
            form.add_error(None, _("The study has no data set to draw from."))
        else:
            try:
                with transaction.atomic():
                    phase = phase_create(
                        study=study,
                        title=data["title"],
                        instructions=data["instructions"],
                        time_limit_seconds=data["time_limit_seconds"],
                        hint_style=data["hint_style"],
                        hint_run_id=data["hint_run"].pk if data["hint_run"] else None,
                        case_order=data["case_order"],
                        gated=data["gated"],
                    )
                    cases = phase_cases_draw(
                        phase=phase,
                        dataset=study.dataset,
                        n=data["cases"],
                        seed=data["seed"],
                        proportions=data["proportions"],
                    )
            except ContestError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Phase %(order)d added with %(n)d cases.")
                    % {"order": phase.order, "n": len(cases)},
                )
                return redirect("contests:study", pk=study.pk)
    context = _detail_context(study, phase_form=form)
    return render(request, "contests/study_detail.html", context, status=400)


@researcher_required
def phase_edit(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    """Change a phase of a draft study (its cases are drawn again from the study's page)."""
    phase = get_object_or_404(Phase.objects.select_related("study", "hint_run"), pk=phase_pk,
                              study_id=pk)  # fmt: skip
    first = first_language(phase.study)  # the form's texts are in the study's first language
    initial = {
        "title": getattr(phase, f"title_{first}"),
        "instructions": getattr(phase, f"instructions_{first}"),
        "time_limit_seconds": phase.time_limit_seconds,
        "hint_style": phase.hint_style,
        "hint_run": phase.hint_run,
        "case_order": phase.case_order,
        "gated": phase.gated,
    }
    form = PhaseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            phase_update(
                phase=phase,
                changes={
                    "title": data["title"],
                    "instructions": data["instructions"],
                    "time_limit_seconds": data["time_limit_seconds"],
                    "hint_style": data["hint_style"],
                    "hint_run_id": data["hint_run"].pk if data["hint_run"] else None,
                    "case_order": data["case_order"],
                    "gated": data["gated"],
                },
            )
        except ContestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Phase %(order)d changed.") % {"order": phase.order})
            return redirect("contests:study", pk=pk)
    context = {"phase": phase, "form": form, "draw_form": PhaseDrawForm()}
    return render(request, "contests/phase_edit.html", context)


@researcher_required
def study_texts(request: HttpRequest, pk: int) -> HttpResponse:
    """The study's and its phases' texts in each of its languages, editable at any time; a
    changed consent text of an open study is a new version that readers agree to again."""
    study = get_object_or_404(Study, pk=pk)
    phases = list(study.phases.order_by("order"))
    form = StudyTextsForm(request.POST or None, study=study, phases=phases)
    if request.method == "POST" and form.is_valid():
        texts = form.texts()
        version = study.consent_version
        try:
            with transaction.atomic():
                study = study_texts_update(study=study, texts=texts.pop("study"))
                for phase in phases:
                    phase_texts_update(phase=phase, texts=texts[f"phase{phase.pk}"])
        except ContestError as error:
            form.add_error(None, str(error))
        else:
            if study.consent_version != version:
                messages.warning(
                    request,
                    _(
                        "The consent text changed: it is now version %(version)s. Readers who "
                        "agreed to an earlier version are asked again before their next case."
                    )
                    % {"version": study.consent_version},
                )
            messages.success(request, _("Texts saved."))
            return redirect("contests:study", pk=study.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "contests/study_texts.html", {"study": study, "form": form}, status=status
    )


@researcher_required
@require_POST
def phase_draw(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    """Draw a draft study's phase's cases again from the study's data set."""
    phase = get_object_or_404(Phase.objects.select_related("study__dataset"), pk=phase_pk,
                              study_id=pk)  # fmt: skip
    form = PhaseDrawForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            study_check_draft(study=phase.study)
            if phase.study.dataset is None:
                raise ContestError(_("The study has no data set to draw from."))
            cases = phase_cases_draw(
                phase=phase,
                dataset=phase.study.dataset,
                n=data["cases"],
                seed=data["seed"],
                proportions=data["proportions"],
            )
        except ContestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Phase %(order)d: %(n)d cases drawn.") % {"order": phase.order, "n": len(cases)},
            )
            return redirect("contests:study", pk=pk)
    context = {"phase": phase, "form": PhaseEditForm(initial={}), "draw_form": form}
    return render(request, "contests/phase_edit.html", context, status=400)


@researcher_required
@require_POST
def phase_move(request: HttpRequest, pk: int, phase_pk: int, step: int) -> HttpResponse:
    """Move a phase of a draft study one place up (step -1) or down (+1)."""
    study = get_object_or_404(Study, pk=pk)
    ids = list(study.phases.order_by("order").values_list("pk", flat=True))
    if phase_pk not in ids:
        raise Http404
    at = ids.index(phase_pk)
    to = min(max(at + step, 0), len(ids) - 1)
    ids.insert(to, ids.pop(at))
    try:
        study_phases_reorder(study=study, phase_ids=ids)
    except ContestError as error:
        messages.error(request, str(error))
    return redirect("contests:study", pk=pk)


@researcher_required
@require_POST
def study_set_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    try:
        if action == "open" and request.POST.get("hints") == "wait":
            waiting = study_open_waiting_for_hints(study=study)
            if waiting:
                names = ", ".join(phase.title for phase in waiting)
                messages.info(
                    request,
                    _("Locked until its model has predicted: %(names)s.") % {"names": names},
                )
        elif action == "open":
            study_open(study=study)
        else:
            study_close(study=study, now=timezone.now())
    except ContestError as error:
        messages.error(request, _("Not opened: %(error)s") % {"error": error})
    else:
        messages.success(
            request, _("The study is %(status)s.") % {"status": study.get_status_display()}
        )
    return redirect("contests:study", pk=study.pk)


@researcher_required
@require_POST
def invitations_create(request: HttpRequest, pk: int) -> HttpResponse:
    """New links, shown (or downloaded as CSV) once: only their hashes are stored."""
    study = get_object_or_404(Study, pk=pk)
    form = InvitationsForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "contests/study_detail.html",
            _detail_context(study, invitations_form=form),
            status=400,
        )
    now = timezone.now()
    days = form.cleaned_data["expires_in_days"]
    made = invitation_create_batch(
        study=study,
        n=form.cleaned_data["n"],
        now=now,
        expires_at=now + timedelta(days=days) if days else None,
        label=form.cleaned_data["label"],
    )
    base_url = _base_url(request)
    if request.POST.get("format") == "csv":
        response = HttpResponse(
            invitations_csv(made=made, base_url=base_url), content_type="text/csv"
        )
        stamp = now.strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = (
            f'attachment; filename="study-{study.pk}-invitations-{stamp}.csv"'
        )
        response["Cache-Control"] = "no-store"
        return response
    links = [(inv, invitation_link(token=token, base_url=base_url)) for inv, token in made]
    response = render(
        request,
        "contests/invitations_created.html",
        {"study": study, "links": links, "csv": invitations_csv(made=made, base_url=base_url)},
    )
    response["Cache-Control"] = "no-store"
    return response


@researcher_required
def study_progress_page(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    include_simulated = request.GET.get("simulated") == "1"
    return render(
        request,
        "contests/progress.html",
        {
            "study": study,
            "phases": list(study_phases(study=study)),
            "rows": study_progress(study=study, include_simulated=include_simulated),
            "include_simulated": include_simulated,
            "StudyStatus": StudyStatus,
        },
    )


@researcher_required
def participant_detail(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    """One reader's cases: when each was served, how long it took, the answer and the truth."""
    participant = get_object_or_404(Participant, pk=participant_pk, study_id=pk)
    return render(
        request,
        "contests/participant.html",
        {
            "study": participant.study,
            "participant": participant,
            "readings": participant_readings(participant=participant),
        },
    )
