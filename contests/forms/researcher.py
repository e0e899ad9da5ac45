"""Forms of the researcher's study pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from classifier.models import TrainingRun
from contests.models import CaseOrder, HintStyle
from contests.presets import CROSSOVER_WASHOUT_DAYS
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


class InvitationsForm(forms.Form):
    n = forms.IntegerField(min_value=1, max_value=1000, initial=10, label="Number of links")
    label = forms.CharField(max_length=100, required=False)
    expires_in_days = forms.IntegerField(
        min_value=1, required=False, help_text="Empty: the links do not expire."
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
    seed = forms.IntegerField(initial=0, label=_("Seed of the case draw"))
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
