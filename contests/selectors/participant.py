"""Reads of the contests app: a participant's progress, which phases are open to them, orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from contests.clock import case_order
from contests.models import (
    Case,
    CaseOrder,
    Outcome,
    Participant,
    Phase,
    Reading,
    Study,
    StudyStatus,
)
from contests.selectors.designs import (
    participant_phase_cases,
    participant_phases,
    washout_lock_reason,
)
from contests.selectors.hints import phase_images_without_hint
from core.compiled import CompiledValues, fields_of, instance
from lesions.models import Image

_PARTICIPANT = fields_of(Participant)
_STUDY = fields_of(Study)
_READING = fields_of(Reading)
_CASE = fields_of(Case)
_PHASE = fields_of(Phase)
_IMAGE = fields_of(Image)

_session_participant = CompiledValues(
    lambda participant_id, invitation_id: (
        Participant.objects.filter(
            pk=participant_id, invitation__pk=invitation_id, invitation__revoked_at__isnull=True
        )
        .order_by()
        .values_list(*_PARTICIPANT, *fields_of(Study, "study__"))[:1]
    ),
    participant_id=int,
    invitation_id=int,
)


def participant_for_session(*, participant_id: int, invitation_id: int) -> Participant | None:
    """The participant a browser session names, with their study, in one query; None unless the
    session's invitation is still bound to that participant and not revoked."""
    for row in _session_participant.rows(
        participant_id=participant_id, invitation_id=invitation_id
    ):
        participant: Participant = instance(Participant, _PARTICIPANT, row[: len(_PARTICIPANT)])
        participant.study = instance(Study, _STUDY, row[len(_PARTICIPANT) :])
        return participant
    return None


_reading_by_key = CompiledValues(
    lambda participant_id, case_key, phase_order: (
        Reading.objects.filter(
            participant=participant_id, case__key=case_key, case__phase__order=phase_order
        )
        .order_by()
        .values_list(*_READING, *fields_of(Case, "case__"), *fields_of(Phase, "case__phase__"))[:1]
    ),
    participant_id=int,
    case_key=str,
    phase_order=int,
)


def participant_reading(*, participant: Participant, phase_order: int, case_key: str) -> Reading:
    """The reader's reading of the case ``case_key`` of their phase ``phase_order``, with its case
    and phase (the phase's study is the participant's); ``Reading.DoesNotExist`` if none."""
    for row in _reading_by_key.rows(
        participant_id=participant.pk, case_key=case_key, phase_order=phase_order
    ):
        at_case, at_phase = len(_READING), len(_READING) + len(_CASE)
        reading: Reading = instance(Reading, _READING, row[:at_case])
        case: Case = instance(Case, _CASE, row[at_case:at_phase])
        phase: Phase = instance(Phase, _PHASE, row[at_phase:])
        phase.study = participant.study
        case.phase = phase
        reading.case = case
        reading.participant = participant
        return reading
    raise Reading.DoesNotExist


_phase_readings = CompiledValues(
    lambda participant_id, phase_id: (
        Reading.objects.filter(participant=participant_id, case__phase=phase_id)
        .order_by()
        .values_list("pk", "case_id", "outcome", "deadline")
    ),
    participant_id=int,
    phase_id=int,
)


def phase_reading_states(
    *, participant: Participant, phase: Phase
) -> list[tuple[int, int, str, datetime | None]]:
    """(reading id, case id, outcome, deadline) of each of the reader's readings of the phase."""
    return _phase_readings.rows(participant_id=participant.pk, phase_id=phase.pk)


_case_with_image = CompiledValues(
    lambda case_id, phase_id: (
        Case.objects.filter(pk=case_id, phase=phase_id)
        .order_by()
        .values_list(*_CASE, *fields_of(Image, "image__"))[:1]
    ),
    case_id=int,
    phase_id=int,
)


def phase_case(*, phase: Phase, case_id: int) -> Case | None:
    """A case of the phase with its image (and the phase), or None if it is not the phase's."""
    for row in _case_with_image.rows(case_id=case_id, phase_id=phase.pk):
        case: Case = instance(Case, _CASE, row[: len(_CASE)])
        case.image = instance(Image, _IMAGE, row[len(_CASE) :])
        case.phase = phase
        return case
    return None


_open_image = CompiledValues(
    lambda participant_id, invitation_id, case_key: (
        Reading.objects.filter(
            participant=participant_id,
            participant__invitation__pk=invitation_id,
            participant__invitation__revoked_at__isnull=True,
            case__key=case_key,
            outcome=Outcome.PENDING,
        )
        .order_by()
        .values_list("deadline", "case__image__file")[:1]
    ),
    participant_id=int,
    invitation_id=int,
    case_key=str,
)


def case_image_file(
    *, participant_id: int, invitation_id: int, case_key: str, now: datetime
) -> str | None:
    """The stored file name of a case's image while the session's reader may see it, in one
    query: the session's invitation still binds that reader and is not revoked (as in
    ``participant_for_session``), the case was served to them, is not closed and is not past
    its deadline (which includes the grace), even before their next request closes it. None
    otherwise."""
    for deadline, file_name in _open_image.rows(
        participant_id=participant_id, invitation_id=invitation_id, case_key=case_key
    ):
        if deadline is None or now <= deadline:
            return str(file_name)
    return None


def participant_phase_total(*, participant: Participant, phase: Phase) -> int:
    """How many cases the phase has for this reader: the length of their stored order, else
    (before the phase's first case) a count."""
    order = participant.case_orders.get(str(phase.pk))
    if order is not None:
        return len(order)
    return participant_phase_cases(participant=participant, phase=phase).count()  # study designs


def participant_case_order(*, participant: Participant, phase: Phase) -> list[int]:
    """The ids of the phase's cases in the order this participant meets them, computed from the
    participant's stored seed (``Participant.case_orders`` keeps it once a phase has begun)."""
    cases = participant_phase_cases(participant=participant, phase=phase)  # study designs
    case_ids = list(cases.order_by("position").values_list("id", flat=True))
    return case_order(
        case_ids=case_ids,
        seed=participant.order_seed,
        phase_id=phase.pk,
        shuffled=phase.case_order == CaseOrder.SHUFFLED,
    )


def phase_done_count(*, participant: Participant, phase: Phase, now: datetime) -> int:
    """Cases of the phase this participant has finished (a reading past its deadline counts)."""
    return (
        Reading.objects.filter(participant=participant, case__phase=phase)
        .filter(~Q(outcome=Outcome.PENDING) | Q(deadline__lt=now))
        .count()
    )


def phase_is_done(*, participant: Participant, phase: Phase, now: datetime) -> bool:
    total = participant_phase_cases(participant=participant, phase=phase).count()  # study designs
    return phase_done_count(participant=participant, phase=phase, now=now) >= total


def phase_previous(*, phase: Phase) -> Phase | None:
    return phase.study.phases.filter(order__lt=phase.order).order_by("-order").first()


def phase_schedule_reason(*, phase: Phase, now: datetime) -> str | None:
    """Why nobody can take the phase now (the study's status, the phase's dates); None when
    they can. Reads nothing but ``phase`` and its study."""
    if phase.study.status != StudyStatus.OPEN:
        return _("The study is not open.")
    if phase.opens_at is not None and now < phase.opens_at:
        return _("This part opens later.")
    if phase.closes_at is not None and now >= phase.closes_at:
        return _("This part is closed.")
    return None


def phase_lock_reason(*, participant: Participant, phase: Phase, now: datetime) -> str | None:
    """Why this participant cannot take the phase now, in words for them; None when they can."""
    reason = phase_schedule_reason(phase=phase, now=now)
    if reason is not None:
        return reason
    if not phase.cases.exists():
        return _("This part has no images yet.")
    if phase_images_without_hint(phase=phase):
        return _("This part is being prepared.")
    if phase.gated:
        previous = phase_previous(phase=phase)
        if previous is not None and not phase_is_done(
            participant=participant, phase=previous, now=now
        ):
            return _("This part opens when you have finished the previous one.")
    # Study designs: a crossover's second session waits for its washout (checked before the
    # session's first case, like every rule that depends on the reader).
    return washout_lock_reason(participant=participant, phase=phase, now=now)


@dataclass(frozen=True)
class PhaseProgress:
    phase: Phase
    done: int
    total: int
    lock_reason: str | None

    @property
    def is_done(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def is_started(self) -> bool:
        return self.done > 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def participant_progress(*, participant: Participant, now: datetime) -> list[PhaseProgress]:
    """Every phase of the participant's study with how far they are and whether it is locked."""
    result = []
    phases = list(participant.study.phases.order_by("order"))
    for phase in participant_phases(participant=participant, phases=phases):  # study designs
        total = participant_phase_cases(participant=participant, phase=phase).count()
        done = phase_done_count(participant=participant, phase=phase, now=now)
        reason = (
            None
            if done >= total
            else phase_lock_reason(participant=participant, phase=phase, now=now)
        )
        result.append(PhaseProgress(phase=phase, done=done, total=total, lock_reason=reason))
    return result


def participant_study_done(*, participant: Participant, now: datetime) -> bool:
    progress = participant_progress(participant=participant, now=now)
    return bool(progress) and all(p.is_done for p in progress)


def participant_score(*, participant: Participant) -> tuple[int, int]:
    """(correct answers, cases) over the whole study: shown only after the study closes."""
    readings = Reading.objects.filter(participant=participant).select_related("case__image__lesion")
    correct = sum(
        1
        for r in readings
        if r.outcome == Outcome.ANSWERED and r.diagnosis == r.case.image.lesion.diagnosis
    )
    return correct, readings.count()
