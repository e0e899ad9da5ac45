"""What the contests API reads and writes: outputs (a study with its phases, progress,
invitations) and the inputs of each write, checked here before the services apply the rules."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from classifier.models import TrainingRun
from contests.models import CaseOrder, HintStyle, Invitation, Phase, Study
from contests.presets import CROSSOVER_WASHOUT_DAYS
from contests.selectors.researcher import study_phases
from contests.services.content import texts_of
from contests.services.invitations import MAX_BATCH
from core.bounds import GRACE_SECONDS, SEED, SHARE, validate_finite
from lesions.codes import DIAGNOSES
from lesions.models import Dataset

LANGUAGES = [("en", "English"), ("es", "Español")]
PRESETS = [
    ("paper", _("The 2020 paper: an untimed contest, then 45 s without and with the AI")),
    ("crossover", _("Crossover: the same images without and with the AI, a washout between")),
]


def _both_languages() -> list[str]:
    return ["en", "es"]


class StudyLanguageTexts(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    consent_text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class StudyTexts(serializers.Serializer):
    """A study's texts per language; on input, each language and each text is optional."""

    en = StudyLanguageTexts(required=False)
    es = StudyLanguageTexts(required=False)


class PhaseLanguageTexts(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    instructions = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class PhaseTexts(serializers.Serializer):
    """A phase's texts per language; on input, each language and each text is optional."""

    en = PhaseLanguageTexts(required=False)
    es = PhaseLanguageTexts(required=False)


class PhaseSerializer(serializers.ModelSerializer):
    case_count = serializers.IntegerField(read_only=True)
    texts = serializers.SerializerMethodField()
    hint_run: serializers.SlugRelatedField[TrainingRun] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )

    class Meta:
        model = Phase
        fields = [
            "id", "study", "order", "title", "instructions", "time_limit_seconds", "hint_style",
            "hint_run", "case_order", "gated", "opens_at", "closes_at", "case_count",
            "shares_cases_with", "texts",
        ]  # fmt: skip

    @extend_schema_field(PhaseTexts)
    def get_texts(self, phase: Phase) -> dict[str, dict[str, str]]:
        """Every language's title and instructions ("" where none); ``title`` and
        ``instructions`` above are those of the request's language, or the fallback."""
        return texts_of(phase)


class StudySerializer(serializers.ModelSerializer):
    dataset: serializers.SlugRelatedField[Dataset] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )
    phases = serializers.SerializerMethodField()
    texts = serializers.SerializerMethodField()
    reader_count = serializers.IntegerField(read_only=True)
    simulated_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Study
        fields = [
            "id", "title", "description", "status", "dataset", "languages", "grace_seconds",
            "consent_text", "consent_version", "show_score_after_close", "created_at",
            "design", "washout_days", "asks_confidence", "block_size",
            "reader_count", "simulated_count", "phases", "texts",
        ]  # fmt: skip

    @extend_schema_field(StudyTexts)
    def get_texts(self, study: Study) -> dict[str, dict[str, str]]:
        """Every language's title, description and consent text ("" where none); the fields
        above are those of the request's language (Accept-Language), or the fallback."""
        return texts_of(study)

    @extend_schema_field(PhaseSerializer(many=True))
    def get_phases(self, study: Study) -> list[dict[str, Any]]:
        data = PhaseSerializer(study_phases(study=study), many=True).data
        return data  # type: ignore[return-value]  # many=True: a ListSerializer's list; stubs say dict


class StudyInput(serializers.Serializer):
    """A custom study, made empty (a draft): add its phases next. ``title``, ``description``
    and ``consent_text`` are in its first language; ``texts`` gives the others'."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    dataset = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Dataset.objects.all(),
        help_text=_("Cases are drawn from its held-out split"),
    )
    consent_text = serializers.CharField()
    consent_version = serializers.CharField(max_length=40, default="1")
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGES),
        min_length=1,
        default=_both_languages,
        help_text=_("In order: the first is the study's own language"),
    )

    def validate_languages(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # each once, in the order given

    grace_seconds = serializers.FloatField(
        min_value=GRACE_SECONDS.low,
        max_value=GRACE_SECONDS.high,
        default=2.0,
        validators=[validate_finite],
    )
    show_score_after_close = serializers.BooleanField(default=False)
    texts = StudyTexts(required=False, help_text=_("The texts in the study's other languages"))


class StudyTextsInput(serializers.Serializer):
    texts = StudyTexts(help_text=_("Only the texts given change"))


class PhaseTextsInput(serializers.Serializer):
    texts = PhaseTexts(help_text=_("Only the texts given change"))


class PresetStudyInput(serializers.Serializer):
    """A ready-made study over a data set's held-out split, its cases drawn (still a draft)."""

    preset = serializers.ChoiceField(choices=PRESETS, default="paper")
    dataset = serializers.SlugRelatedField(slug_field="name", queryset=Dataset.objects.all())
    hint_run = serializers.SlugRelatedField(
        slug_field="name",
        queryset=TrainingRun.objects.all(),
        required=False,
        allow_null=True,
        help_text=_(
            "The model whose predictions the AI phase shows; empty: the run with predictions "
            "for most held-out images of the data set"
        ),
    )
    hint_style = serializers.ChoiceField(
        choices=[HintStyle.ALL, HintStyle.TOP], default=HintStyle.ALL
    )
    scale = serializers.FloatField(
        min_value=0.001,
        max_value=1.0,
        default=1.0,
        help_text=_("Shrinks every phase (at least one case each), for small catalogues"),
    )
    seed = serializers.IntegerField(default=0, min_value=int(SEED.low), max_value=int(SEED.high))
    title = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    counterbalanced = serializers.BooleanField(
        default=False,
        help_text=_(
            "paper: contest 2's two image sets swap between its phases for half the readers"
        ),
    )
    washout_days = serializers.IntegerField(
        default=CROSSOVER_WASHOUT_DAYS,
        min_value=0,
        max_value=365,
        help_text=_("crossover: days from a reader's first session to their second"),
    )
    asks_confidence = serializers.BooleanField(
        default=False, help_text=_('Ask "How sure are you?" (1 to 5) after each answer')
    )
    block_size = serializers.IntegerField(
        default=4,
        min_value=2,
        max_value=100,
        help_text=_("Readers go to the arms in balanced blocks of this size"),
    )


class DrawInput(serializers.Serializer):
    n = serializers.IntegerField(min_value=1, max_value=5000, help_text=_("Number of cases"))
    seed = serializers.IntegerField(default=0, help_text=_("The same seed draws the same cases"))
    proportions = serializers.DictField(
        child=serializers.FloatField(
            min_value=SHARE.low, max_value=SHARE.high, validators=[validate_finite]
        ),
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            'Shares from 0 to 1 per diagnosis code, e.g. {"mel": 0.3, "nv": 0.6}; empty: stratified'
        ),
    )

    def validate_proportions(self, value: dict[str, float] | None) -> dict[str, float] | None:
        unknown = set(value or {}) - set(DIAGNOSES)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown diagnosis codes: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
            )
        return value or None


class PhaseInput(serializers.Serializer):
    """A phase's fields; on PATCH every one is optional."""

    title = serializers.CharField(max_length=200)
    instructions = serializers.CharField(required=False, allow_blank=True)
    time_limit_seconds = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text=_("Null: untimed")
    )
    hint_style = serializers.ChoiceField(choices=HintStyle.choices, required=False)
    hint_run = serializers.SlugRelatedField(
        slug_field="name", queryset=TrainingRun.objects.all(), required=False, allow_null=True
    )
    case_order = serializers.ChoiceField(choices=CaseOrder.choices, required=False)
    gated = serializers.BooleanField(required=False)
    opens_at = serializers.DateTimeField(required=False, allow_null=True)
    closes_at = serializers.DateTimeField(required=False, allow_null=True)

    def service_fields(self) -> dict[str, Any]:
        """The validated fields as the builder's services name them."""
        values = dict(self.validated_data)
        if "hint_run" in values:
            run = values.pop("hint_run")
            values["hint_run_id"] = run.pk if run is not None else None
        return values


class NewPhaseInput(PhaseInput):
    cases = DrawInput(required=False, help_text=_("Draw the phase's cases in the same step"))
    texts = PhaseTexts(required=False, help_text=_("The texts in the study's other languages"))


class ReorderInput(serializers.Serializer):
    phases = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Every phase id of the study, in order")
    )


class OpenInput(serializers.Serializer):
    wait_for_hints = serializers.BooleanField(
        default=False,
        help_text=_("Open now and keep hint phases locked until their predictions exist"),
    )


class OpenedSerializer(serializers.Serializer):
    study = StudySerializer()
    waiting_for_hints = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Hint phases locked until predicted")
    )


class DrawnSerializer(serializers.Serializer):
    phase = PhaseSerializer()
    drawn = serializers.IntegerField()


class PhaseProgressSerializer(serializers.Serializer):
    phase = serializers.IntegerField(source="phase_id")
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    answered = serializers.IntegerField()
    timed_out = serializers.IntegerField()
    mean_seconds = serializers.FloatField(allow_null=True)


class ParticipantProgressSerializer(serializers.Serializer):
    pseudonym = serializers.CharField(source="participant.pseudonym")
    is_simulated = serializers.BooleanField(source="participant.is_simulated")
    language = serializers.CharField(source="participant.language")
    last_seen_at = serializers.DateTimeField(allow_null=True)
    phases = PhaseProgressSerializer(many=True)


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as listed: never its token, which exists only when it is made."""

    participant = serializers.CharField(
        source="participant.pseudonym", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Invitation
        fields = ["id", "study", "label", "created_at", "expires_at", "used_at", "revoked_at",
                  "participant"]  # fmt: skip


class NewInvitationSerializer(InvitationSerializer):
    link = serializers.CharField(help_text=_("The personal link: shown this once"))

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "link"]


class InvitationBatchSerializer(serializers.Serializer):
    invitations = NewInvitationSerializer(many=True)


class InvitationsInput(serializers.Serializer):
    n = serializers.IntegerField(min_value=1, max_value=MAX_BATCH, help_text=_("Number of links"))
    label = serializers.CharField(  # type: ignore[assignment]  # the invitation's label; DRF's metaclass moves fields off the class, so Field.label is untouched
        max_length=100, required=False, default="", allow_blank=True
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_in_days = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("expires_at") and attrs.get("expires_in_days"):
            raise serializers.ValidationError(_("Give expires_at or expires_in_days, not both."))
        return attrs
