"""Forms of the analysis pages: planning a study from a pilot."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from analysis.mrmc_power import ANALYSES
from contests.models import Study

MAX_VALUES = 12


def parse_counts(text: str, *, low: int, high: int) -> tuple[int, ...]:
    """``"4, 6, 10"`` -> (4, 6, 10): whole numbers from ``low`` to ``high``, at most 12."""
    try:
        values = sorted({int(part) for part in text.replace(";", ",").split(",") if part.strip()})
    except ValueError as error:
        raise forms.ValidationError(_("Write whole numbers separated by commas.")) from error
    if not values or len(values) > MAX_VALUES:
        raise forms.ValidationError(_("Give between 1 and %(n)s numbers.") % {"n": MAX_VALUES})
    if values[0] < low or values[-1] > high:
        raise forms.ValidationError(
            _("Each number must be between %(low)s and %(high)s.") % {"low": low, "high": high}
        )
    return tuple(values)


class PlanForm(forms.Form):
    study = forms.ModelChoiceField(
        queryset=Study.objects.order_by("-created_at"),
        required=False,
        empty_label=_("Van Dyke example (AUC, as in RJafroc's vignettes)"),
        label=_("Pilot"),
        help_text=_("A finished or pilot study's comparison without vs with the AI (accuracy)."),
    )
    effect = forms.FloatField(
        required=False,
        label=_("Effect to detect"),
        help_text=_("The difference of the two modalities; empty: the pilot's observed one."),
    )
    analysis = forms.ChoiceField(
        choices=[
            ("RRRC", _("random readers and cases (generalises to both)")),
            ("FRRC", _("fixed readers, random cases")),
            ("RRFC", _("random readers, fixed cases")),
        ],
        initial="RRRC",
        label=_("Analysis"),
    )
    alpha = forms.FloatField(initial=0.05, min_value=0.001, max_value=0.5, label=_("Alpha"))
    power = forms.FloatField(initial=0.8, min_value=0.5, max_value=0.99, label=_("Target power"))
    readers = forms.CharField(initial="4, 6, 8, 10, 15, 20", label=_("Numbers of readers"))
    cases = forms.CharField(
        initial="25, 50, 100, 150, 200, 300", label=_("Numbers of cases per reader and modality")
    )

    @classmethod
    def defaults(cls) -> dict[str, str]:
        """The form's initial values as the data of a bound form (the page's first view)."""
        return {name: str(field.initial) for name, field in cls().fields.items() if field.initial}

    def plan_arguments(self) -> dict[str, Any]:
        """The cleaned values as ``selectors.study_plan``'s arguments."""
        data = self.cleaned_data
        return {
            "study": data["study"],
            "effect": data["effect"],
            "alpha": data["alpha"],
            "analysis": data["analysis"],
            "target": data["power"],
            "readers": data["readers"],
            "cases": data["cases"],
        }

    def clean_readers(self) -> tuple[int, ...]:
        return parse_counts(self.cleaned_data["readers"], low=2, high=500)

    def clean_cases(self) -> tuple[int, ...]:
        return parse_counts(self.cleaned_data["cases"], low=2, high=100_000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("analysis") not in ANALYSES:
            self.add_error("analysis", _("Choose one of the three analyses."))
        return data
