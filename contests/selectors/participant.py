"""Reads of the contests app: a participant's progress, which phases are open to them, orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from contests.clock import case_order
from contests.models import CaseOrder, Outcome, Participant, Phase, Reading, StudyStatus
from contests.selectors.hints import phase_images_without_hint


def participant_for_session(*, participant_id: int, invitation_id: int) -> Participant | None:
    """The participant a browser session names, with their study, in one query; None unless the
    session's invitation is still bound to that participant and not revoked."""
    return (
        Participant.objects.select_related("study")
        .filter(
            pk=participant_id,
            invitation__pk=invitation_id,
            invitation__revoked_at__isnull=True,
        )
        .first()
    )


def reading_open_for_image(
    *, participant: Participant, case_key: str, now: datetime
) -> Reading | None:
    """The reader's open reading of a case, with the case's image, while its image may be shown:
    served to this reader, not closed, and not past its deadline (which includes the grace),
    even before the reader's next request closes it. None otherwise."""
    reading = (
        Reading.objects.select_related("case__image")
        .filter(participant=participant, case__key=case_key, outcome=Outcome.PENDING)
        .first()
    )
    if reading is None or (reading.deadline is not None and now > reading.deadline):
        return None
    return reading


def participant_phase_total(*, participant: Participant, phase: Phase) -> int:
    """How many cases the phase has for this reader: the length of their stored order, else
    (before the phase's first case) a count."""
    order = participant.case_orders.get(str(phase.pk))
    return len(order) if order is not None else phase.cases.count()


def participant_case_order(*, participant: Participant, phase: Phase) -> list[int]:
    """The ids of the phase's cases in the order this participant meets them, computed from the
    participant's stored seed (``Participant.case_orders`` keeps it once a phase has begun)."""
    case_ids = list(phase.cases.order_by("position").values_list("id", flat=True))
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
    return phase_done_count(participant=participant, phase=phase, now=now) >= phase.cases.count()


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
    return None


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
    for phase in participant.study.phases.order_by("order"):
        total = phase.cases.count()
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
