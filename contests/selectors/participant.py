"""Reads of the contests app: a participant's progress, which phases are open to them, orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from contests.clock import case_order
from contests.models import CaseOrder, Outcome, Participant, Phase, Reading, StudyStatus
from contests.selectors.designs import (
    participant_phase_cases,
    participant_phases,
    washout_lock_reason,
)
from contests.selectors.hints import phase_images_without_hint


def participant_case_order(*, participant: Participant, phase: Phase) -> list[int]:
    """The ids of the phase's cases in the order this participant meets them."""
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


def phase_lock_reason(*, participant: Participant, phase: Phase, now: datetime) -> str | None:
    """Why this participant cannot take the phase now, in words for them; None when they can."""
    if phase.study.status != StudyStatus.OPEN:
        return _("The study is not open.")
    if phase.opens_at is not None and now < phase.opens_at:
        return _("This part opens later.")
    if phase.closes_at is not None and now >= phase.closes_at:
        return _("This part is closed.")
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
    # Study designs: a crossover's second session waits for its washout.
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
