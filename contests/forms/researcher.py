"""Forms of the researcher's study pages."""

from __future__ import annotations

from typing import Any

from django import forms

from classifier.models import TrainingRun
from contests.models import CaseOrder, HintStyle
from lesions.codes import DIAGNOSES
from lesions.models import Dataset


class StudyForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.all(), help_text="Cases are drawn from its held-out split."
    )
    consent_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    consent_version = forms.CharField(max_length=40, initial="1")
    languages = forms.MultipleChoiceField(
        choices=[("en", "English"), ("es", "Español")],
        initial=["en", "es"],
        widget=forms.CheckboxSelectMultiple,
    )
    grace_seconds = forms.FloatField(
        min_value=0, initial=2.0, help_text="Added to every deadline for the network."
    )
    show_score_after_close = forms.BooleanField(required=False)


def parse_proportions(text: str) -> dict[str, float] | None:
    """``mel=2, nv=5`` -> {"mel": 2.0, "nv": 5.0}; empty -> None (stratified)."""
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
                f"{part.strip()!r}: write code=weight with codes among {', '.join(DIAGNOSES)}."
            )
        try:
            result[code] = float(weight)
        except ValueError as error:
            raise forms.ValidationError(f"{part.strip()!r}: the weight is not a number.") from error
    return result


class PhaseForm(forms.Form):
    title = forms.CharField(max_length=200)
    instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    cases = forms.IntegerField(min_value=1, max_value=5000, initial=35, label="Number of cases")
    proportions = forms.CharField(
        required=False,
        help_text="Empty: stratified by diagnosis. Or weights such as mel=1, nv=2, bkl=1.",
    )
    seed = forms.IntegerField(initial=0, help_text="The same seed draws the same cases.")
    time_limit_seconds = forms.IntegerField(
        min_value=1, required=False, help_text="Empty: untimed (can be left and resumed)."
    )
    hint_style = forms.ChoiceField(choices=HintStyle.choices, initial=HintStyle.NONE)
    hint_run = forms.ModelChoiceField(
        queryset=TrainingRun.objects.all(), required=False, help_text="The model shown as hints."
    )
    case_order = forms.ChoiceField(choices=CaseOrder.choices, initial=CaseOrder.SHUFFLED)
    gated = forms.BooleanField(required=False, help_text="Opens after the previous phase.")

    def clean_proportions(self) -> dict[str, float] | None:
        return parse_proportions(self.cleaned_data.get("proportions", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hint_style", HintStyle.NONE) != HintStyle.NONE and not data.get("hint_run"):
            self.add_error("hint_run", "A hint phase needs a model.")
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
    n = forms.IntegerField(min_value=1, max_value=1000, initial=10, label="Number of links")
    label = forms.CharField(max_length=100, required=False)
    expires_in_days = forms.IntegerField(
        min_value=1, required=False, help_text="Empty: the links do not expire."
    )
