"""The analysis API's outputs: a study's summary (typed row by row, as the results page's
tables name their columns) and report jobs."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analysis.models import ReportJob

# The per-class metrics (analysis.metrics.per_class_table), for the readers and for the model.
PER_CLASS_METRICS = ("n", "tpr", "tpr_ci_low", "tpr_ci_high", "tnr", "tnr_ci_low", "tnr_ci_high",
                     "gmean", "ppv", "f1")  # fmt: skip


def _number() -> serializers.FloatField:
    """A number that may be missing (JSON has no NaN: a missing value is null)."""
    return serializers.FloatField(allow_null=True, required=False)


class Table4RowSerializer(serializers.Serializer):
    """Readers (pooled) or the model on one phase's images (the paper's Table 4)."""

    phase = serializers.CharField()
    who = serializers.CharField(help_text=_("DNN, GPs or GPs + AI"))
    n = serializers.IntegerField()
    correct = serializers.IntegerField()
    accuracy = _number()
    accuracy_ci_low = _number()
    accuracy_ci_high = _number()
    error_rate = _number()
    balanced_accuracy = _number()
    timeouts = serializers.IntegerField()
    timeout_rate = _number()
    sensitivity_malignant = _number()
    specificity_malignant = _number()
    readers = serializers.IntegerField()
    mean_accuracy = _number()
    sd_accuracy = _number()
    minus_dnn = _number()
    minus_dnn_ci_low = _number()
    minus_dnn_ci_high = _number()
    minus_dnn_wilcoxon_p = _number()


class ComparisonRowSerializer(serializers.Serializer):
    """A phase without the hint against one with it: paired per reader, and MRMC."""

    without = serializers.CharField()
    with_hint = serializers.CharField()
    readers_paired = serializers.IntegerField()
    accuracy_without = _number()
    accuracy_with = _number()
    accuracy_difference = _number()
    difference_ci_low = _number()
    difference_ci_high = _number()
    ci_method = serializers.CharField(allow_null=True, required=False)
    wilcoxon_p = _number()
    paired_t_p = _number()
    balanced_accuracy_difference = _number()
    balanced_wilcoxon_p = _number()
    mrmc = serializers.CharField(allow_blank=True, help_text=_("Why MRMC ran or did not"))
    mrmc_difference = _number()
    mrmc_ci_low = _number()
    mrmc_ci_high = _number()
    mrmc_F = _number()
    mrmc_ddf = _number()
    mrmc_p = _number()


class MrmcFigureRowSerializer(serializers.Serializer):
    """One figure GPs care about, without vs with the AI, by MRMC in the design the readings fit."""

    comparison = serializers.CharField()
    figure = serializers.CharField(
        help_text=_("accuracy, balanced accuracy, sensitivity, specificity, confidence AUC")
    )
    cases = serializers.CharField(help_text=_("Which cases the figure is computed on"))
    design = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    readers = serializers.IntegerField(required=False)
    without = _number()
    with_ = _number()
    difference = _number()
    ci_low = _number()
    ci_high = _number()
    F = _number()
    ddf = _number()
    p = _number()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["with"] = fields.pop("with_")  # "with" is a Python keyword
        return fields


class CrossoverRowSerializer(serializers.Serializer):
    """A crossover's two-period analysis of one figure: the AI, period and carry-over effects."""

    comparison = serializers.CharField()
    figure = serializers.CharField()
    effect = serializers.CharField(help_text=_("AI, period or carry-over"))
    estimate = _number()
    se = _number()
    df = _number()
    ci_low = _number()
    ci_high = _number()
    p = _number()
    readers_without_ai_first = serializers.IntegerField()
    readers_with_ai_first = serializers.IntegerField()


class BySequenceRowSerializer(serializers.Serializer):
    """Mean accuracy per arm (the order of the sessions, or the image sets) and phase."""

    comparison = serializers.CharField()
    sequence = serializers.CharField()
    phase = serializers.CharField()
    readers = serializers.IntegerField()
    period = _number()
    image_set = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    mean_accuracy = _number()
    sd_accuracy = _number()


class DesignSerializer(serializers.Serializer):
    """Which MRMC analysis fits a comparison's design, and its source."""

    comparison = serializers.CharField()
    design = serializers.CharField()
    model = serializers.CharField()
    reference = serializers.CharField(help_text=_("Where the analysis is defined"))


PerClassRowSerializer = type(
    "PerClassRowSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "One diagnosis in one phase: the readers' (pooled) and the model's metrics.",
        "phase": serializers.CharField(),
        "diagnosis": serializers.CharField(),
        **{
            f"{who}_{name}": _number() for who in ("readers", "model") for name in PER_CLASS_METRICS
        },
    },
)


class StudySummarySerializer(serializers.Serializer):
    study = serializers.IntegerField()
    readings = serializers.IntegerField(help_text=_("Closed readings in the analysis"))
    include_simulated = serializers.BooleanField()
    notes = serializers.ListField(child=serializers.CharField())
    table4 = Table4RowSerializer(many=True)
    comparisons = ComparisonRowSerializer(many=True, required=False)
    mrmc_figures = MrmcFigureRowSerializer(many=True, required=False)
    crossover = CrossoverRowSerializer(many=True, required=False)
    by_sequence = BySequenceRowSerializer(many=True, required=False)
    per_class = PerClassRowSerializer(many=True, required=False)
    designs = DesignSerializer(many=True)


class ReportJobInput(serializers.Serializer):
    include_simulated = serializers.BooleanField(default=False)


class ReportFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField()


class ReportJobSerializer(serializers.ModelSerializer):
    files = serializers.SerializerMethodField(help_text=_("Name and download URL of each file"))

    class Meta:
        model = ReportJob
        fields = ["id", "study", "include_simulated", "status", "progress", "message", "error",
                  "created_at", "started_at", "finished_at", "files"]  # fmt: skip

    @extend_schema_field(ReportFileSerializer(many=True))
    def get_files(self, job: ReportJob) -> list[dict[str, str]]:
        return [
            {"name": name, "url": reverse("analysis-report-file", args=[job.pk, name])}
            for name in job.files
        ]
