"""Reads for the study designs (``contests.designs``): the paired phases, and for each reader
their order of phases, their cases in a phase, their session and the washout before the next;
and the reading still waiting for "How sure are you?" where the study asks it.

The washout is kept as the case clock is: from the server's own times of the reader's readings.
A session ends when its last case closes (answered, or timed out at its deadline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from contests.designs import (
    COUNTERBALANCED,
    CROSSOVER,
    PAIRED_DESIGNS,
    image_set_for,
    paired_phase_order,
    session_of,
    washout_ends,
)
from contests.models import Case, Outcome, Participant, Phase, Reading, Study


def study_paired_phases(*, study: Study) -> tuple[Phase, Phase] | None:
    """The two phases a counterbalanced or crossover study pairs, in their built order."""
    if study.design not in PAIRED_DESIGNS:
        return None
    second = (
        Phase.objects.filter(study=study, shares_cases_with__isnull=False)
        .select_related("shares_cases_with")
        .first()
    )
    if second is None or second.shares_cases_with is None:
        return None
    first = second.shares_cases_with
    return (first, second) if first.order < second.order else (second, first)


def study_design_problem(*, study: Study) -> str | None:
    """What keeps a counterbalanced or crossover study from opening; None when it can."""
    if study.design not in PAIRED_DESIGNS:
        return None
    pair = study_paired_phases(study=study)
    if pair is None:
        return _("A %(design)s study needs its two paired phases.") % {"design": study.design}
    first, second = pair
    if first.has_hint == second.has_hint:
        return _("Of the two paired phases, one shows the AI's output and the other does not.")
    images = [sorted(p.cases.values_list("image_id", "image_set")) for p in pair]
    if sorted(i for i, _s in images[0]) != sorted(i for i, _s in images[1]):
        return _("The two paired phases must show the same images.")
    if study.design == COUNTERBALANCED:
        sets = [s for _i, s in images[0]]
        if sets.count("A") == 0 or sets.count("A") != sets.count("B"):
            return _("Counterbalanced phases hold two image sets, A and B, of the same size.")
    return None


def study_arm_counts(*, study: Study) -> dict[int, int]:
    """Real readers per arm ({0: n, 1: m}); empty where the design has no arms."""
    if study.design not in PAIRED_DESIGNS:
        return {}
    counts = dict.fromkeys((0, 1), 0)
    for arm in study.participants.filter(is_simulated=False).values_list("arm", flat=True):
        if arm in counts:
            counts[arm] += 1
    return counts


def _pair_place(phase: Phase) -> tuple[tuple[Phase, Phase], int] | None:
    """The study's pair and the place (0, 1) of ``phase`` in it, if it is one of the two."""
    pair = study_paired_phases(study=phase.study)
    if pair is None or phase.pk not in (pair[0].pk, pair[1].pk):
        return None
    return pair, 0 if phase.pk == pair[0].pk else 1


def participant_phase_cases(*, participant: Participant, phase: Phase) -> QuerySet[Case]:
    """The cases of the phase this reader reads: one image set of a counterbalanced phase."""
    cases = phase.cases.all()
    if phase.study.design != COUNTERBALANCED:
        return cases
    place = _pair_place(phase)
    if place is None:
        return cases
    return cases.filter(
        image_set=image_set_for(
            arm=participant.arm, design=phase.study.design, second=place[1] == 1
        )
    )


def participant_phases(*, participant: Participant, phases: list[Phase]) -> list[Phase]:
    """The phases in the order this reader takes them: a crossover's arm 1 swaps the pair."""
    if not phases or phases[0].study.design != CROSSOVER:
        return phases
    pair = study_paired_phases(study=phases[0].study)
    if pair is None:
        return phases
    first, _second = paired_phase_order(arm=participant.arm, design=CROSSOVER)
    places = [i for i, phase in enumerate(phases) if phase.pk in (pair[0].pk, pair[1].pk)]
    if first == 0 or len(places) != 2:
        return phases
    swapped = list(phases)
    swapped[places[0]], swapped[places[1]] = phases[places[1]], phases[places[0]]
    return swapped


def _reader_pair(participant: Participant, phase: Phase) -> tuple[Phase, Phase, bool] | None:
    """(this reader's first paired phase, their second, whether ``phase`` is their second)."""
    place = _pair_place(phase)
    if place is None:
        return None
    pair, _index = place
    first, second = paired_phase_order(arm=participant.arm, design=phase.study.design)
    mine = (pair[first], pair[second])
    return mine[0], mine[1], phase.pk == mine[1].pk


def participant_session(*, participant: Participant, phase: Phase) -> int:
    """The reader's session of the phase: 2 for a crossover's second paired phase, else 1."""
    found = _reader_pair(participant, phase)
    return session_of(design=phase.study.design, is_second_paired=bool(found and found[2]))


def session_finished_at(
    *, participant: Participant, phase: Phase, now: datetime
) -> datetime | None:
    """When the reader closed their last case of the phase, or None while cases are left."""
    total = participant_phase_cases(participant=participant, phase=phase).count()
    readings = Reading.objects.filter(participant=participant, case__phase=phase)
    closed = readings.filter(~Q(outcome=Outcome.PENDING) | Q(deadline__lt=now))
    if total == 0 or closed.count() < total:
        return None
    ended = closed.aggregate(at=Max(Coalesce("answered_at", "deadline", "served_at")))["at"]
    return ended if isinstance(ended, datetime) else None


@dataclass(frozen=True)
class SessionOpening:
    """When a reader's second session opens; ``opens_at`` is None until the first is done."""

    phase: Phase
    opens_at: datetime | None


def second_session_opening(
    *, participant: Participant, phase: Phase, now: datetime
) -> SessionOpening | None:
    """For a crossover's second session of this reader, when it opens; None for other phases."""
    if phase.study.design != CROSSOVER:
        return None
    found = _reader_pair(participant, phase)
    if found is None or not found[2]:
        return None
    finished = session_finished_at(participant=participant, phase=found[0], now=now)
    if finished is None:
        return SessionOpening(phase=phase, opens_at=None)
    return SessionOpening(
        phase=phase, opens_at=washout_ends(finished_at=finished, days=phase.study.washout_days)
    )


def when(moment: datetime) -> str:
    """A moment in the reader's language and the site's time zone."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def washout_lock_reason(*, participant: Participant, phase: Phase, now: datetime) -> str | None:
    """Why a crossover's second session is not open yet for this reader; None when it is."""
    opening = second_session_opening(participant=participant, phase=phase, now=now)
    if opening is None:
        return None
    if opening.opens_at is None:
        return _("Your second session opens %(days)s days after you finish the first.") % {
            "days": phase.study.washout_days
        }
    if now < opening.opens_at:
        return _("Your second session opens on %(date)s.") % {"date": when(opening.opens_at)}
    return None


@dataclass(frozen=True)
class NextSession:
    """The reader's next session, waiting for its washout: what the home page tells them."""

    phase: Phase
    opens_at: datetime
    reminder_requested: bool


def participant_next_session(*, participant: Participant, now: datetime) -> NextSession | None:
    """The crossover session this reader waits for (first one done, washout not over), if any."""
    if participant.study.design != CROSSOVER:
        return None
    pair = study_paired_phases(study=participant.study)
    if pair is None:
        return None
    _first, second = paired_phase_order(arm=participant.arm, design=CROSSOVER)
    opening = second_session_opening(participant=participant, phase=pair[second], now=now)
    if opening is None or opening.opens_at is None or now >= opening.opens_at:
        return None
    return NextSession(
        phase=pair[second],
        opens_at=opening.opens_at,
        reminder_requested=bool(participant.reminder_email)
        and participant.reminder_sent_at is None,
    )


def reading_awaiting_confidence(*, participant: Participant, phase: Phase) -> Reading | None:
    """The reader's answered reading of the phase still without its confidence, if the study
    asks for one: it is asked before the next case is served."""
    if not phase.study.asks_confidence:
        return None
    return (
        Reading.objects.select_related("case")
        .filter(
            participant=participant,
            case__phase=phase,
            outcome=Outcome.ANSWERED,
            confidence__isnull=True,
        )
        .order_by("-position")
        .first()
    )
