"""Admin of the contests app.

Studies and phases are edited here as well as in the researcher pages; a phase's images can be
picked by hand (by id in the case inline, or as a list of image ids). What readers did (readings,
events, refusals) is shown read-only: the admin never rewrites a participant's answers.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from contests.models import (
    Case,
    ConsentRefusal,
    ConsentText,
    Event,
    Invitation,
    Participant,
    Phase,
    Reading,
    Study,
    StudyStatus,
)
from contests.services.builder import phase_images_add
from contests.services.content import consent_text_record, study_texts_update
from contests.services.errors import ContestError, PhaseImageError
from lesions.models import Partition


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PhaseInline(TranslationTabularInline):
    model = Phase
    extra = 0
    fields = [
        "order",
        "title",
        "time_limit_seconds",
        "hint_style",
        "hint_run",
        "gated",
        "shares_cases_with",
    ]
    readonly_fields = ["shares_cases_with"]  # set by the design services, with the cases
    raw_id_fields = ["hint_run"]
    show_change_link = True


class ConsentTextInline(admin.TabularInline):
    """Every version of the consent text, as readers agreed to it: kept, never edited."""

    model = ConsentText
    extra = 0
    fields = ["version", "texts", "created_at"]
    readonly_fields = ["version", "texts", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Study)
class StudyAdmin(TranslationAdmin):
    """A study's texts appear once per language (title [en], title [es], ...)."""

    list_display = ["title", "status", "design", "dataset", "consent_version", "created_at"]
    list_filter = ["status", "design"]
    search_fields = ["title_en", "title_es"]
    readonly_fields = ["consent_version"]  # a new version comes with a new consent text
    inlines = [PhaseInline, ConsentTextInline]
    actions = ["open_studies", "close_studies"]

    def save_model(self, request: HttpRequest, obj: Study, form: Any, change: bool) -> None:
        """Texts go through the same service as the researcher's pages: a changed consent
        text of an open study is a new version."""
        consent = [name for name in form.changed_data if name.startswith("consent_text_")]
        texts: dict[str, dict[str, str]] = {}
        for name in consent:
            language = name.removeprefix("consent_text_")
            texts.setdefault(language, {})["consent_text"] = form.cleaned_data[name] or ""
        if change and texts:
            stored = Study.objects.get(pk=obj.pk)
            for name in consent:  # saved below by the service, with the new version
                setattr(obj, name, getattr(stored, name))
        super().save_model(request, obj, form, change)
        if not change:
            consent_text_record(study=obj)
        elif texts:
            try:
                updated = study_texts_update(study=obj, texts=texts)
            except ContestError as error:
                self.message_user(request, f"Consent text not saved: {error}", messages.ERROR)
                return
            obj.consent_version = updated.consent_version

    @admin.action(description="Open the selected studies")
    def open_studies(self, request: HttpRequest, queryset: QuerySet[Study]) -> None:
        count = queryset.update(status=StudyStatus.OPEN)
        self.message_user(request, f"{count} studies opened.")

    @admin.action(description="Close the selected studies")
    def close_studies(self, request: HttpRequest, queryset: QuerySet[Study]) -> None:
        count = queryset.update(status=StudyStatus.CLOSED)
        self.message_user(request, f"{count} studies closed.")


class CaseForm(forms.ModelForm):
    """A case picked by hand keeps the builder's rules: held-out, one phase per lesion."""

    class Meta:
        model = Case
        fields = ["position", "image"]

    def __init__(self, *args: Any, parent_phase: Phase | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The phase being edited, given by the formset: a new case has no phase of its own yet.
        self.parent_phase = parent_phase

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        image = data.get("image")
        phase = self.instance.phase if self.instance.phase_id else None
        phase = phase or self.parent_phase
        if image is None or phase is None:
            return data
        if image.partition != Partition.TEST:
            self.add_error("image", f"{image.image_id} is not a held-out image.")
        if phase.study.dataset_id and image.dataset_id != phase.study.dataset_id:
            self.add_error("image", f"{image.image_id} is not in {phase.study.dataset}.")
        elsewhere = Case.objects.filter(
            phase__study=phase.study_id, image__lesion_id=image.lesion_id
        ).exclude(phase=phase)
        if elsewhere.exists():
            self.add_error("image", f"The lesion of {image.image_id} is in another phase.")
        return data


class CaseFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "parent_phase": self.instance}

    def clean(self) -> None:
        super().clean()
        lesions = [
            form.cleaned_data["image"].lesion_id
            for form in self.forms
            if form.cleaned_data.get("image") and not form.cleaned_data.get("DELETE")
        ]
        if len(lesions) != len(set(lesions)):
            raise forms.ValidationError("Two cases of this phase show the same lesion.")


class CaseInline(admin.TabularInline):
    model = Case
    form = CaseForm
    formset = CaseFormSet
    extra = 0

    # Once readers have met a phase its cases are part of the record: no more edits.
    def _open(self, obj: Phase | None) -> bool:
        return obj is None or not Reading.objects.filter(case__phase=obj).exists()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_delete_permission(request, obj)

    fields = ["position", "image", "key"]
    readonly_fields = ["key"]
    raw_id_fields = ["image"]


class PhaseForm(forms.ModelForm):
    add_images = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Image ids of the study's data set (held-out split), one per line or separated by "
            "commas: added as cases after the existing ones."
        ),
    )

    class Meta:
        model = Phase
        fields = [
            "study",
            "order",
            "title",
            "instructions",
            "time_limit_seconds",
            "hint_style",
            "hint_run",
            "case_order",
            "gated",
            "opens_at",
            "closes_at",
        ]


@admin.register(Phase)
class PhaseAdmin(TranslationAdmin):
    form = PhaseForm
    list_display = ["__str__", "time_limit_seconds", "hint_style", "gated", "case_count"]
    list_filter = ["hint_style", "gated"]
    raw_id_fields = ["hint_run"]
    inlines = [CaseInline]

    @admin.display(description="cases")
    def case_count(self, obj: Phase) -> int:
        return obj.cases.count()

    def save_model(self, request: HttpRequest, obj: Phase, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        raw = form.cleaned_data.get("add_images", "")
        ids = [part.strip() for part in raw.replace(",", "\n").splitlines() if part.strip()]
        if not ids:
            return
        try:
            added = phase_images_add(phase=obj, image_ids=ids)
        except PhaseImageError as error:
            self.message_user(request, f"No image added: {error}", level=messages.ERROR)
        else:
            self.message_user(request, f"{len(added)} cases added.")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "phase", "position", "image", "image_set"]
    list_filter = ["phase__study"]
    raw_id_fields = ["image", "phase"]
    readonly_fields = ["key"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = [
        "pseudonym",
        "study",
        "is_simulated",
        "language",
        "arm",
        "consent_version",
        "consented_at",
        "withdrawn_at",
        "last_seen_at",
    ]
    list_filter = ["study", "is_simulated", "language", "arm"]
    search_fields = ["pseudonym"]
    readonly_fields = [
        "study",
        "pseudonym",
        "is_simulated",
        "consent_version",
        "consented_at",
        "order_seed",
        "arm",
        "reminder_sent_at",
        "created_at",
        "last_seen_at",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Tokens are never shown (only their hash is stored); links are made in the study pages."""

    list_display = ["id", "study", "label", "participant", "created_at", "used_at", "revoked_at"]
    list_filter = ["study"]
    fields = ["study", "label", "participant", "expires_at", "used_at", "revoked_at"]
    readonly_fields = ["study", "participant", "used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected invitations")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} invitations revoked.")


@admin.register(ConsentRefusal)
class ConsentRefusalAdmin(ReadOnlyAdmin):
    list_display = ["study", "consent_version", "refused_at"]
    list_filter = ["study"]


@admin.register(Reading)
class ReadingAdmin(ReadOnlyAdmin):
    list_display = [
        "participant",
        "case",
        "position",
        "outcome",
        "diagnosis",
        "confidence",
        "elapsed_ms",
        "served_at",
    ]
    list_filter = ["outcome", "case__phase__study", "participant__is_simulated"]
    list_select_related = ["participant", "case"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["at", "participant", "kind", "reading"]
    list_filter = ["kind", "participant__study"]
    list_select_related = ["participant"]
