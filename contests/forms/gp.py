"""Forms of the GP pages. Diagnoses travel as numbers 1-7 so that no code is in the page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contests.models import DermoscopyTraining, Specialty
from lesions.codes import DIAGNOSES

LANGUAGES = [("en", "English"), ("es", "Español")]
DIAGNOSIS_NUMBERS = [(str(i + 1), code) for i, code in enumerate(DIAGNOSES)]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=LANGUAGES, label=_("Language"))


class ConsentForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, max_length=40)
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])


class ProfileForm(forms.Form):
    years_in_practice = forms.IntegerField(label=_("Years in practice"), min_value=0, max_value=80)
    specialty = forms.ChoiceField(label=_("Specialty"), choices=Specialty.choices)
    dermoscopy_training = forms.ChoiceField(
        label=_("Training in dermoscopy"), choices=DermoscopyTraining.choices
    )
    country = forms.CharField(label=_("Country where you practise"), max_length=80)


class AnswerForm(forms.Form):
    case = forms.CharField(max_length=32)
    diagnosis = forms.TypedChoiceField(
        choices=DIAGNOSIS_NUMBERS, coerce=lambda n: DIAGNOSES[int(n) - 1]
    )


class TimeoutForm(forms.Form):
    case = forms.CharField(max_length=32)


CONFIDENCE_CHOICES = [
    ("1", _("Not sure at all")),
    ("2", _("Not very sure")),
    ("3", _("Fairly sure")),
    ("4", _("Quite sure")),
    ("5", _("Very sure")),
]


class ConfidenceForm(forms.Form):
    case = forms.CharField(max_length=32)
    confidence = forms.TypedChoiceField(choices=CONFIDENCE_CHOICES, coerce=int)


class ReminderForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        help_text=_("Used once, for this reminder, then erased."),
    )
