"""Forms of the researcher's study pages."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from classifier.models import TrainingRun
from contests.models import CaseOrder, HintStyle, Phase, Study
from contests.presets import CROSSOVER_WASHOUT_DAYS
from contests.translation import PHASE_TEXT_FIELDS, STUDY_TEXT_FIELDS
from core.bounds import GRACE_SECONDS, INVITATION_EXPIRY_DAYS, SEED, TIME_LIMIT_SECONDS
from lesions.codes import DIAGNOSES
from lesions.models import Dataset


class StudyForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Description")
    )
    dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.all(),
        label=_("Data set"),
        help_text=_("Cases are drawn from its held-out split."),
    )
    consent_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=_("Consent text")
    )
    consent_version = forms.CharField(max_length=40, initial="1", label=_("Consent version"))
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        # Each language by its own name, as the GP's language page shows it.
        choices=[("en", "English"), ("es", "Español")],
        initial=["en", "es"],
        widget=forms.CheckboxSelectMultiple,
    )
    first_language = forms.ChoiceField(
        choices=[("en", "English"), ("es", "Español")],
        initial="en",
        required=False,  # empty: the first of the languages ticked
        label=_("First language"),
        help_text=_(
            "The language of the texts above; the study's other languages get theirs on its "
            "texts page, and fall back to these."
        ),
    )
    grace_seconds = forms.FloatField(
        min_value=GRACE_SECONDS.low,
        max_value=GRACE_SECONDS.high,
        initial=2.0,
        label=_("Grace (seconds)"),
        help_text=_("Added to every deadline for the network (0 to 30 seconds)."),
    )
    show_score_after_close = forms.BooleanField(
        required=False, label=_("Show the reader their score after the study closes")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, languages = data.pop("first_language", None), data.get("languages")
        if first and languages:
            if first not in languages:
                self.add_error(
                    "first_language", _("The first language must be one of its languages.")
                )
            else:
                data["languages"] = [first, *(code for code in languages if code != first)]
        return data


def parse_proportions(text: str) -> dict[str, float] | None:
    """``mel=0.2, nv=0.5`` -> {"mel": 0.2, "nv": 0.5}; empty -> None (stratified).

    Each share is a finite number in 0-1; the draw normalises them to the phase's size.
    """
    text = text.strip()
    if not text:
        return None
    result: dict[str, float] = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        code, sep, weight = part.partition("=")
        code = code.strip().lower()
        if not sep or code not in DIAGNOSES:
            raise forms.ValidationError(
                _("%(part)r: write code=weight with codes among %(codes)s.")
                % {"part": part.strip(), "codes": ", ".join(DIAGNOSES)}
            )
        try:
            share = float(weight)
        except ValueError as error:
            raise forms.ValidationError(
                _("%(part)r: the share is not a number.") % {"part": part.strip()}
            ) from error
        if not math.isfinite(share) or not 0 <= share <= 1:
            raise forms.ValidationError(
                _("%(part)r: a share is a number from 0 to 1.") % {"part": part.strip()}
            )
        result[code] = share
    if result and sum(result.values()) <= 0:
        raise forms.ValidationError(_("At least one share must be above 0."))
    return result


class PhaseForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Instructions")
    )
    cases = forms.IntegerField(min_value=1, max_value=5000, initial=35, label=_("Number of cases"))
    proportions = forms.CharField(
        required=False,
        label=_("Proportions"),
        help_text=_(
            "Empty: stratified by diagnosis. Or shares from 0 to 1 such as mel=0.3, nv=0.5, "
            "bkl=0.2."
        ),
    )
    seed = forms.IntegerField(
        min_value=int(SEED.low),
        max_value=int(SEED.high),
        initial=0,
        label=_("Seed"),
        help_text=_("The same seed draws the same cases."),
    )
    time_limit_seconds = forms.IntegerField(
        min_value=int(TIME_LIMIT_SECONDS.low),
        max_value=int(TIME_LIMIT_SECONDS.high),
        required=False,
        label=_("Time limit (seconds)"),
        help_text=_("5 seconds to 1 hour; empty: untimed (can be left and resumed)."),
    )
    hint_style = forms.ChoiceField(
        choices=HintStyle.choices, initial=HintStyle.NONE, label=_("Hint style")
    )
    hint_run = forms.ModelChoiceField(
        queryset=TrainingRun.objects.all(),
        required=False,
        label=_("Hint model"),
        help_text=_("The model shown as hints."),
    )
    case_order = forms.ChoiceField(
        choices=CaseOrder.choices, initial=CaseOrder.SHUFFLED, label=_("Case order")
    )
    gated = forms.BooleanField(
        required=False, label=_("Gated"), help_text=_("Opens after the previous phase.")
    )

    def clean_proportions(self) -> dict[str, float] | None:
        return parse_proportions(self.cleaned_data.get("proportions", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hint_style", HintStyle.NONE) != HintStyle.NONE and not data.get("hint_run"):
            self.add_error("hint_run", _("A hint phase needs a model."))
        return data


class PhaseEditForm(PhaseForm):
    """A phase's own fields, changed before its study opens (its cases are drawn apart)."""

    DRAW_FIELDS = ("cases", "proportions", "seed")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.DRAW_FIELDS:
            del self.fields[name]

    def clean_proportions(self) -> dict[str, float] | None:
        return None


class PhaseDrawForm(forms.Form):
    """Draw a phase's cases again (the add-a-phase form's draw fields)."""

    cases = PhaseForm.base_fields["cases"]
    proportions = PhaseForm.base_fields["proportions"]
    seed = PhaseForm.base_fields["seed"]

    def clean_proportions(self) -> dict[str, float] | None:
        return parse_proportions(self.cleaned_data.get("proportions", ""))


class InvitationsForm(forms.Form):
    n = forms.IntegerField(min_value=1, max_value=1000, initial=10, label=_("Number of links"))
    label = forms.CharField(max_length=100, required=False, label=_("Label"))
    expires_in_days = forms.IntegerField(
        min_value=int(INVITATION_EXPIRY_DAYS.low),
        max_value=int(INVITATION_EXPIRY_DAYS.high),
        required=False,
        label=_("Expires in (days)"),
        help_text=_("1 to 365 days; empty: the links do not expire."),
    )


class PresetForm(forms.Form):
    """A ready-made study: the paper's (optionally counterbalanced) or a crossover."""

    preset = forms.ChoiceField(
        label=_("Design"),
        choices=[
            ("paper", _("The paper's: untimed 163; 35 timed without the AI; 35 new with it")),
            ("paper-counterbalanced", _("The paper's, its two sets of 35 counterbalanced")),
            ("crossover", _("Crossover: the same 70 images without and with the AI, a washout")),
        ],
    )
    dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.all(),
        label=_("Data set"),
        help_text=_("Cases are drawn from its held-out split."),
    )
    hint_run = forms.ModelChoiceField(
        queryset=TrainingRun.objects.all(),
        required=False,
        label=_("AI model shown"),
        help_text=_("Empty: the model with predictions for most held-out images."),
    )
    hint_style = forms.ChoiceField(
        choices=[(HintStyle.ALL, HintStyle.ALL.label), (HintStyle.TOP, HintStyle.TOP.label)],
        initial=HintStyle.ALL,
        label=_("AI output shown"),
    )
    title = forms.CharField(max_length=200, required=False, label=_("Title"))
    scale = forms.FloatField(
        min_value=0.001,
        max_value=1,
        initial=1.0,
        label=_("Scale"),
        help_text=_("Shrinks every phase (a pilot, or a small catalogue); 1 is the full size."),
    )
    seed = forms.IntegerField(
        min_value=int(SEED.low),
        max_value=int(SEED.high),
        initial=0,
        label=_("Seed of the case draw"),
    )
    washout_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        initial=CROSSOVER_WASHOUT_DAYS,
        label=_("Washout (days)"),
        help_text=_("Crossover: from a reader's first session to their second."),
    )
    block_size = forms.IntegerField(
        min_value=2,
        max_value=100,
        initial=4,
        label=_("Randomisation block"),
        help_text=_("Readers go to the two arms in balanced blocks of this even size."),
    )
    asks_confidence = forms.BooleanField(
        required=False, label=_('Ask "How sure are you?" (1 to 5) after each answer')
    )

    def clean_block_size(self) -> int:
        size = int(self.cleaned_data["block_size"])
        if size % 2:
            raise forms.ValidationError(_("A block holds an even number of readers."))
        return size


class StudyTextsForm(forms.Form):
    """A study's texts and its phases' in each of the study's languages, side by side.

    Fields are named ``<owner>-<field>-<language>`` (owner: ``study`` or ``phase<id>``); the
    title is required in the study's first language, every other text is optional.
    """

    def __init__(self, *args: Any, study: Study, phases: list[Phase], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.languages = [code for code in study.languages if code in names]
        first = self.languages[0]
        self.owners: dict[str, Study | Phase] = {"study": study}
        self.owners.update({f"phase{phase.pk}": phase for phase in phases})
        # What the page shows: one section per study or phase, one column per language.
        self.sections: list[tuple[str, list[list[forms.BoundField]]]] = []
        for owner, obj in self.owners.items():
            rows = []
            for field in STUDY_TEXT_FIELDS if owner == "study" else PHASE_TEXT_FIELDS:
                row = []
                for code in self.languages:
                    name = f"{owner}-{field}-{code}"
                    self.fields[name] = self._field(field, names[code], required=(
                        field == "title" and code == first
                    ))  # fmt: skip
                    self.initial[name] = getattr(obj, f"{field}_{code}") or ""
                    row.append(self[name])
                rows.append(row)
            heading = str(_("The study")) if owner == "study" else str(obj)
            self.sections.append((heading, rows))

    @staticmethod
    def _field(field: str, language: str, *, required: bool) -> forms.CharField:
        label = {
            "title": _("Title"),
            "description": _("Description"),
            "consent_text": _("Consent text"),
            "instructions": _("Instructions"),
        }[field]
        if field == "title":
            return forms.CharField(max_length=200, required=required, label=f"{label} ({language})")
        rows = 6 if field == "consent_text" else 2
        return forms.CharField(
            required=False,
            strip=False,
            label=f"{label} ({language})",
            widget=forms.Textarea(attrs={"rows": rows}),
        )

    def texts(self) -> dict[str, dict[str, dict[str, str]]]:
        """{owner: {language: {field: text}}} from the cleaned data."""
        result: dict[str, dict[str, dict[str, str]]] = {}
        for name, value in self.cleaned_data.items():
            owner, field, code = name.split("-")
            result.setdefault(owner, {}).setdefault(code, {})[field] = value
        return result
