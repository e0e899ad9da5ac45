"""Studies, phases, cases, participants, invitations, consent refusals, readings and the event log.

The rules these rows keep (DESIGN.md §5) are enforced in ``contests.services``; the database holds
what it can by itself: one reading per participant and case, one case per image and phase, unique
pseudonyms, unique invitation token hashes, and an event log that refuses updates and deletes.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classifier.models import TrainingRun
from core.bounds import GRACE_SECONDS, TIME_LIMIT_SECONDS
from lesions.models import Dataset, Diagnosis, Image


def default_languages() -> list[str]:
    return ["en", "es"]


def new_case_key() -> str:
    """The opaque name of a case in a GP's browser: says nothing about the image or diagnosis."""
    return secrets.token_urlsafe(18)


def new_order_seed() -> int:
    return secrets.randbelow(2**31)


class StudyStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class StudyDesign(models.TextChoices):
    SEQUENTIAL = "sequential", _("phases in order, each with its own images")
    COUNTERBALANCED = (
        "counterbalanced",
        _("counterbalanced: the image sets of the paired phases swap for half the readers"),
    )
    CROSSOVER = (
        "crossover",
        _("crossover: the same images without and with the AI, in two sessions after a washout"),
    )


class Study(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    consent_text = models.TextField(blank=True)
    consent_version = models.CharField(max_length=40, default="1")
    status = models.CharField(
        max_length=8, choices=StudyStatus.choices, default=StudyStatus.DRAFT, db_index=True
    )
    languages = models.JSONField(default=default_languages)
    grace_seconds = models.FloatField(
        default=2.0,
        validators=GRACE_SECONDS.validators(),
        help_text=_("Network grace added to every deadline, in seconds (0 to 30)"),
    )
    show_score_after_close = models.BooleanField(default=False)
    dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.PROTECT, related_name="studies"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Study designs beyond phases in order: see contests.designs and contests.services.designs.
    design = models.CharField(
        max_length=16, choices=StudyDesign.choices, default=StudyDesign.SEQUENTIAL
    )
    washout_days = models.PositiveSmallIntegerField(
        default=28,
        help_text=_("Crossover: days between finishing the first session and opening the second"),
    )
    asks_confidence = models.BooleanField(
        default=False, help_text=_('Ask "How sure are you?" (1 to 5) after each answer')
    )
    # Readers are randomised to the two arms in blocks of this size, from this stored seed.
    randomisation_seed = models.BigIntegerField(default=new_order_seed, editable=False)
    block_size = models.PositiveSmallIntegerField(
        default=4, help_text=_("Readers are randomised to the two arms in blocks of this size")
    )

    # Named for the type checker: modeltranslation swaps in its own subclass at start-up.
    objects: ClassVar[models.Manager[Study]] = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "studies"
        constraints = [
            GRACE_SECONDS.constraint("grace_seconds", "study_grace_in_bounds"),
            models.CheckConstraint(
                condition=models.Q(block_size__gte=2) & models.Q(block_size__lte=100),
                name="block_size_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class HintStyle(models.TextChoices):
    NONE = "none", _("no hint")
    TOP = "top", _("top class with its probability")
    ALL = "all", _("all seven probabilities")


class CaseOrder(models.TextChoices):
    SHUFFLED = "shuffled", _("shuffled per participant")
    FIXED = "fixed", _("fixed")


class Phase(models.Model):
    """One contest of a study: a set of cases read under one time limit and hint style."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    time_limit_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=TIME_LIMIT_SECONDS.validators(),
        help_text=_("5 s to 1 h; empty: untimed, can be left and resumed"),
    )
    hint_style = models.CharField(max_length=8, choices=HintStyle.choices, default=HintStyle.NONE)
    hint_run = models.ForeignKey(
        TrainingRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hint_phases",
        help_text=_("The model whose predictions are shown as hints"),
    )
    case_order = models.CharField(
        max_length=10, choices=CaseOrder.choices, default=CaseOrder.SHUFFLED
    )
    gated = models.BooleanField(
        default=False, help_text=_("Opens for a participant only once the previous phase is done")
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    # The one exception to "no lesion in two phases": a phase that shows the same images as
    # another by design (a crossover's other session, or the other half of counterbalanced sets).
    shares_cases_with = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sharing_phase",
        help_text=_("The phase whose images this phase shows again, by design"),
    )

    objects: ClassVar[models.Manager[Phase]] = models.Manager()  # see Study.objects

    class Meta:
        ordering = ["study_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["study", "order"], name="unique_phase_order"),
            models.CheckConstraint(
                condition=models.Q(hint_style="none") | models.Q(hint_run__isnull=False),
                name="hint_phase_has_a_model",
            ),
            TIME_LIMIT_SECONDS.constraint(
                "time_limit_seconds", "phase_time_limit_in_bounds", nullable=True
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study}: {self.order}. {self.title}"

    @property
    def is_timed(self) -> bool:
        return self.time_limit_seconds is not None

    @property
    def has_hint(self) -> bool:
        return self.hint_style != HintStyle.NONE


class ImageSet(models.TextChoices):
    A = "A", _("set A")
    B = "B", _("set B")


class Case(models.Model):
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="cases")
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="cases")
    position = models.PositiveIntegerField()
    key = models.CharField(max_length=32, unique=True, default=new_case_key, editable=False)
    # Counterbalanced phases hold both image sets; each reader reads one of them there.
    image_set = models.CharField(max_length=1, choices=ImageSet.choices, blank=True)

    class Meta:
        ordering = ["phase_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "image"], name="unique_image_per_phase"),
            models.UniqueConstraint(fields=["phase", "position"], name="unique_case_position"),
        ]

    def __str__(self) -> str:
        return f"{self.phase_id}#{self.position}"


class Specialty(models.TextChoices):
    GENERAL_PRACTICE = "general_practice", _("general practice / family medicine")
    INTERNAL_MEDICINE = "internal_medicine", _("internal medicine")
    PAEDIATRICS = "paediatrics", _("paediatrics")
    DERMATOLOGY_TRAINEE = "dermatology_trainee", _("dermatology trainee")
    OTHER = "other", _("other")


class DermoscopyTraining(models.TextChoices):
    NONE = "none", _("none")
    SHORT_COURSE = "short_course", _("a short course")
    FORMAL = "formal", _("formal training")


class Participant(models.Model):
    """A reader, known only by a pseudonym; simulated readers are flagged and kept apart."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="participants")
    pseudonym = models.CharField(max_length=16)
    is_simulated = models.BooleanField(default=False, db_index=True)
    language = models.CharField(max_length=8, default="en")
    years_in_practice = models.PositiveSmallIntegerField(null=True, blank=True)
    specialty = models.CharField(max_length=24, choices=Specialty.choices, blank=True)
    dermoscopy_training = models.CharField(
        max_length=16, choices=DermoscopyTraining.choices, blank=True
    )
    country = models.CharField(max_length=80, blank=True)
    profile_completed_at = models.DateTimeField(null=True, blank=True)
    # The consent text's version the reader last agreed to, and when; a reader behind the
    # study's current version is asked again before their next case (contests.services.content).
    consent_version = models.CharField(max_length=40)
    consented_at = models.DateTimeField()
    # When the reader declined a new consent text: they read no more; their readings stay.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Seeds every shuffled phase's case order for this reader: the order can be rebuilt exactly.
    order_seed = models.BigIntegerField(default=new_order_seed)
    # Each phase's case order as first served, {"<phase id>": [case ids]}: computed once from the
    # seed (contests.selectors.participant.participant_case_order), then read with the row.
    case_orders = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # The arm of a counterbalanced or crossover study (0 or 1), from the block randomisation.
    arm = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Optional, for the one reminder that the next session is open; erased once it is sent.
    reminder_email = models.EmailField(blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["study_id", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["study", "pseudonym"], name="unique_pseudonym"),
            models.CheckConstraint(
                condition=models.Q(arm__isnull=True) | models.Q(arm__in=[0, 1]),
                name="arm_is_0_or_1",
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym


class Invitation(models.Model):
    """A personal link. Only the SHA-256 of its token is stored; the token is shown once."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    participant = models.OneToOneField(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When its holder declined to take part: a link declines once (its refusal is stored apart,
    # with nothing that says who).
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["study_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.study})"

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


class ConsentText(models.Model):
    """Every version of a study's consent text as it stood, in each language: what a reader
    who agreed to that version read."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="consent_texts")
    version = models.CharField(max_length=40)
    texts = models.JSONField(default=dict)  # {"en": "...", "es": "..."}
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["study_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "version"], name="unique_consent_version")
        ]

    def __str__(self) -> str:
        return f"{self.study}: consent version {self.version}"


class ConsentRefusal(models.Model):
    """That somebody declined, and to which text: nothing that could say who."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="consent_refusals")
    consent_version = models.CharField(max_length=40)
    refused_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"refusal of consent {self.consent_version} at {self.refused_at:%Y-%m-%d %H:%M}"


class Outcome(models.TextChoices):
    PENDING = "pending", _("pending")
    ANSWERED = "answered", _("answered")
    TIMED_OUT = "timed_out", _("timed out")


class Reading(models.Model):
    """One participant's reading of one case, from the moment it was first served."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="readings")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="readings")
    position = models.PositiveIntegerField(help_text=_("Place in this participant's order"))
    served_at = models.DateTimeField()
    # served_at + limit + grace; empty in untimed phases.
    deadline = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    diagnosis = models.CharField(max_length=8, choices=Diagnosis.choices, blank=True)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    elapsed_ms = models.PositiveIntegerField(null=True, blank=True)
    # An answer that came after the deadline: kept, flagged, never counted as an answer.
    late_diagnosis = models.CharField(max_length=8, choices=Diagnosis.choices, blank=True)
    late_at = models.DateTimeField(null=True, blank=True)
    # The hint as shown: {"run", "model", "style", "probabilities", "top", "top_probability"}.
    hint = models.JSONField(null=True, blank=True)
    # "How sure are you?" 1 (not at all) to 5 (very), asked after the answer where the study asks.
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["participant_id", "case__phase_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "case"], name="one_reading_per_participant_case"
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="answered") | ~models.Q(diagnosis=""),
                name="answered_reading_has_a_diagnosis",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True)
                | (models.Q(confidence__gte=1) & models.Q(confidence__lte=5)),
                name="confidence_from_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}:{self.case_id} {self.outcome}"

    @property
    def is_closed(self) -> bool:
        return self.outcome != Outcome.PENDING

    @property
    def is_late(self) -> bool:
        return bool(self.late_diagnosis)

    def display_deadline(self, grace_seconds: float) -> datetime | None:
        """When the countdown shown to the reader reaches zero (the deadline less the grace)."""
        if self.deadline is None:
            return None
        return self.deadline - timedelta(seconds=grace_seconds)


class EventKind(models.TextChoices):
    SERVED = "served", _("served")
    ANSWERED = "answered", _("answered")
    TIMED_OUT = "timed_out", _("timed out")
    RESUMED = "resumed", _("resumed")
    HINT_SHOWN = "hint_shown", _("hint shown")
    CONFIDENCE = "confidence", _("confidence given")
    CONSENTED = "consented", _("consented again")
    WITHDREW = "withdrew", _("withdrew")


class AppendOnlyError(Exception):
    pass


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The event log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The event log is append-only")


class Event(models.Model):
    """The append-only log: every served, answered, timed-out, resumed and hint-shown moment."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="events")
    reading = models.ForeignKey(
        Reading, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=12, choices=EventKind.choices, db_index=True)
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.participant_id} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The event log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The event log is append-only")
