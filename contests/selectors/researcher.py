"""Reads for the researcher's pages and API: studies at a glance and each reader's progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Avg, Count, FloatField, Max, Q, QuerySet
from django.db.models.functions import Cast

from contests.designs import image_set_for
from contests.models import Case, Invitation, Outcome, Participant, Phase, Reading, Study
from contests.selectors.designs import study_paired_phases

if TYPE_CHECKING:
    # django-stubs' helper, installed with the type checker only.
    from django_stubs_ext import WithAnnotations


@dataclass(frozen=True)
class PhaseProgress:
    phase_id: int
    total: int
    done: int = 0
    answered: int = 0
    timed_out: int = 0
    mean_seconds: float | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class ParticipantProgress:
    participant: Participant
    phases: list[PhaseProgress] = field(default_factory=list)
    last_seen_at: datetime | None = None

    @property
    def done(self) -> int:
        return sum(p.done for p in self.phases)


def studies_overview() -> QuerySet[Study]:
    return Study.objects.select_related("dataset").annotate(
        phase_count=Count("phases", distinct=True),
        reader_count=Count(
            "participants", filter=Q(participants__is_simulated=False), distinct=True
        ),
        simulated_count=Count(
            "participants", filter=Q(participants__is_simulated=True), distinct=True
        ),
    )


class CaseCount(TypedDict):
    case_count: int


def study_phases(*, study: Study) -> QuerySet[WithAnnotations[Phase, CaseCount]]:
    """The study's phases in order, with their hint model and ``case_count``."""
    # Ordered here: Meta.ordering does not apply to a query that aggregates.
    return (
        study.phases.select_related("hint_run")
        .annotate(case_count=Count("cases"))
        .order_by("order")
    )


def invitation_counts(*, study: Study) -> dict[str, int]:
    invitations = Invitation.objects.filter(study=study)
    return invitations.aggregate(
        total=Count("id"),
        used=Count("id", filter=Q(used_at__isnull=False)),
        revoked=Count("id", filter=Q(revoked_at__isnull=False)),
    )


def study_progress(*, study: Study, include_simulated: bool = False) -> list[ParticipantProgress]:
    """Per participant and phase: cases closed (answered or timed out), mean seconds per answer.

    One aggregate query over the readings, whatever the number of readers.
    """
    phases = list(study_phases(study=study))
    participants = study.participants.all()
    if not include_simulated:
        participants = participants.filter(is_simulated=False)
    rows = (
        Reading.objects.filter(participant__in=participants)
        .values("participant_id", "case__phase_id")
        .annotate(
            answered=Count("id", filter=Q(outcome=Outcome.ANSWERED)),
            timed_out=Count("id", filter=Q(outcome=Outcome.TIMED_OUT)),
            mean_ms=Avg("elapsed_ms", filter=Q(outcome=Outcome.ANSWERED)),
            last_answer=Max("answered_at"),
        )
    )
    cells = {(row["participant_id"], row["case__phase_id"]): row for row in rows}
    last_answer: dict[int, datetime] = {}
    for (pid, _), cell in cells.items():
        if cell["last_answer"] is not None:
            last_answer[pid] = max(cell["last_answer"], last_answer.get(pid, cell["last_answer"]))
    totals = _reader_totals(study)
    result = []
    for participant in participants:
        per_phase = []
        for phase in phases:
            total = totals(participant, phase.pk, phase.case_count)
            row = cells.get((participant.pk, phase.pk))
            if row is None:
                per_phase.append(PhaseProgress(phase_id=phase.pk, total=total))
                continue
            per_phase.append(
                PhaseProgress(
                    phase_id=phase.pk,
                    total=total,
                    done=row["answered"] + row["timed_out"],
                    answered=row["answered"],
                    timed_out=row["timed_out"],
                    mean_seconds=row["mean_ms"] / 1000 if row["mean_ms"] is not None else None,
                )
            )
        seen = [
            t for t in (participant.last_seen_at, last_answer.get(participant.pk)) if t is not None
        ]
        result.append(
            ParticipantProgress(
                participant=participant, phases=per_phase, last_seen_at=max(seen, default=None)
            )
        )
    return result


def _reader_totals(study: Study) -> Callable[[Participant, int, int], int]:
    """How many cases a reader has in a phase: one image set of a counterbalanced pair, else
    all of them (one query for the set sizes, none per reader)."""
    pair = study_paired_phases(study=study) if study.design == "counterbalanced" else None
    if pair is None:
        return lambda participant, phase_id, case_count: case_count
    sizes = {
        (row["phase_id"], row["image_set"]): row["n"]
        for row in Case.objects.filter(phase__in=pair)
        .values("phase_id", "image_set")
        .annotate(n=Count("id"))
    }
    second_id = pair[1].pk

    def total(participant: Participant, phase_id: int, case_count: int) -> int:
        if phase_id not in (pair[0].pk, second_id):
            return case_count
        image_set = image_set_for(
            arm=participant.arm, design=study.design, second=phase_id == second_id
        )
        return int(sizes.get((phase_id, image_set), case_count))

    return total


def participant_readings(*, participant: Participant) -> QuerySet[Reading]:
    """A reader's readings, phase by phase in the order they met the cases."""
    return (
        Reading.objects.filter(participant=participant)
        .select_related("case__phase", "case__image__lesion")
        .annotate(seconds=Cast("elapsed_ms", FloatField()) / 1000.0)
        .order_by("case__phase__order", "position")
    )
