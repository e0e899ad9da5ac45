"""Forms of the researcher pages: a new experiment, and trying a model on one image."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from classifier.models import Experiment, TrainingRun
from classifier.nets import PAPER_ARCHITECTURES
from classifier.selectors import trained_runs
from classifier.train_config import PRESETS
from lesions.models import Localization, Sex


class ExperimentForm(forms.ModelForm):
    architecture = forms.CharField(
        initial="resnet34",
        help_text=_("One of %(names)s, or any timm model name")
        % {"names": ", ".join(PAPER_ARCHITECTURES)},
    )
    preset = forms.ChoiceField(
        choices=[("", "—")] + [(name, name) for name in PRESETS], required=False
    )
    synthetic_per_class = forms.IntegerField(
        min_value=0,
        initial=0,
        required=False,
        label=_("Synthetic images per class"),
        help_text=_("Generated images per class added to each training fold (0: none)"),
    )
    queue = forms.BooleanField(
        required=False, initial=True, label=_("Queue the runs on the GPU workers now")
    )

    class Meta:
        model = Experiment
        fields = [
            "name", "dataset", "architecture", "resolution", "use_clinical", "fusion", "epochs",
            "batch_size", "lr", "weight_decay", "optimizer", "schedule", "augmentation",
            "imbalance", "dropout", "early_stopping_patience", "seed", "pretrained_file",
            "synthetic_per_class", "synthetic_dataset", "notes",
        ]  # fmt: skip

    def clean_synthetic_per_class(self) -> int:
        return self.cleaned_data.get("synthetic_per_class") or 0


class TryForm(forms.Form):
    run = forms.ModelChoiceField(queryset=TrainingRun.objects.none())
    image = forms.ImageField()
    age = forms.FloatField(required=False, min_value=0, max_value=120)
    sex = forms.ChoiceField(choices=Sex.choices, initial=Sex.UNKNOWN)
    site = forms.ChoiceField(choices=Localization.choices, initial=Localization.UNKNOWN)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        run = cast(forms.ModelChoiceField, self.fields["run"])
        run.queryset = trained_runs()
