"""Simulated readers taking phases through the same services as real ones, in simulated time.

Nothing waits: each reader's clock starts in the recent past and moves on by the seconds the
simulation draws, and every serve, answer and timeout is stamped with that clock. The readers are
flagged ``is_simulated`` (pseudonyms S001, ...) and left out of real results by default.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from contests.models import DermoscopyTraining, Participant, Phase, Specialty, StudyDesign
from contests.selectors.designs import participant_phases, second_session_opening
from contests.selectors.participant import phase_is_done, phase_previous
from contests.services.errors import SimulationError
from contests.services.participants import participant_create, participant_profile_update
from contests.services.readings import reading_serve_next, reading_submit, reading_time_out
from contests.simulation import Behaviour, answer_case, reader_accuracy

# Simulated readers pause a little between cases, as a page load would.
BETWEEN_CASES = timedelta(seconds=1)


def _check_phases(phases: Sequence[Phase], readers: Sequence[Participant], now: datetime) -> None:
    if not phases:
        raise SimulationError("Name at least one phase.")
    studies = {phase.study_id for phase in phases}
    if len(studies) != 1:
        raise SimulationError("All phases must belong to one study.")
    ids = {phase.pk for phase in phases}
    for phase in phases:
        if not phase.gated:
            continue
        previous = phase_previous(phase=phase)
        if previous is None or previous.pk in ids:
            continue
        if readers and all(
            phase_is_done(participant=reader, phase=previous, now=now) for reader in readers
        ):
            continue
        raise SimulationError(
            f"Phase {phase.pk} ({phase.title}) opens only after phase {previous.pk} "
            f"({previous.title}): simulate them together (--phase {previous.pk} "
            f"--phase {phase.pk})."
        )


def _take_phase(
    *,
    participant: Participant,
    phase: Phase,
    accuracy: float,
    behaviour: Behaviour,
    seed: str,
    clock: datetime,
) -> datetime:
    """One reader through one phase; returns their clock when they finish it.

    Each case draws from its own generator (reader seed + the case's place in the phase), so a
    reader's answer to a case does not depend on the order in which the cases came.
    """
    limit = phase.time_limit_seconds
    while True:
        reading = reading_serve_next(participant=participant, phase=phase, now=clock)
        if reading is None:
            return clock
        truth = reading.case.image.lesion.diagnosis
        hint_top = reading.hint["top"] if reading.hint else None
        answer = answer_case(
            truth=truth,
            hint_top=hint_top,
            accuracy=accuracy,
            behaviour=behaviour,
            rng=random.Random(f"{seed}:{phase.order}:{reading.case.position}"),
        )
        if limit is not None and answer.seconds >= limit:
            # The page's countdown reaches zero and reports the timeout by itself.
            clock = reading.served_at + timedelta(seconds=limit)
            reading_time_out(reading=reading, now=clock)
        else:
            clock = reading.served_at + timedelta(seconds=answer.seconds)
            reading_submit(reading=reading, diagnosis=answer.diagnosis, now=clock)
        clock += BETWEEN_CASES


def _profile(participant: Participant, rng: random.Random, now: datetime) -> None:
    participant_profile_update(
        participant=participant,
        years_in_practice=rng.randint(1, 35),
        specialty=rng.choice(
            [Specialty.GENERAL_PRACTICE] * 4 + [Specialty.INTERNAL_MEDICINE, Specialty.OTHER]
        ),
        dermoscopy_training=rng.choice(
            [DermoscopyTraining.NONE] * 3 + [DermoscopyTraining.SHORT_COURSE]
        ),
        country="Argentina",
        now=now,
    )


def phases_simulate_readers(
    *,
    phases: Sequence[Phase],
    n: int = 0,
    behaviour: Behaviour,
    seed: int = 0,
    now: datetime | None = None,
    readers: Sequence[Participant] = (),
    on_reader_done: Callable[[Participant], None] | None = None,
) -> list[Participant]:
    """``n`` new simulated readers, or the given simulated ``readers``, take the phases in order.

    Existing readers go on to further phases (say an AI phase that waited for its model) with
    the same accuracy they had: a reader's draws depend only on the seed and their pseudonym.
    Each reader is committed on its own, so a long run shows progress to other processes and an
    interruption keeps the readers already done. The same seed gives the same answers.
    """
    if readers and n:
        raise SimulationError("Either new readers (n) or existing ones, not both.")
    if not readers and n < 1:
        raise SimulationError(f"Simulate at least one reader, not {n}.")
    if any(not reader.is_simulated for reader in readers):
        raise SimulationError("Only simulated readers can be driven by the simulation.")
    phases = sorted(phases, key=lambda phase: phase.order)
    now = now or timezone.now()
    _check_phases(phases, readers, now)
    study = phases[0].study
    if any(reader.study_id != study.pk for reader in readers):
        raise SimulationError("The readers belong to another study.")
    # Readers finish around now: their clocks start as far back as their phases take (and a
    # crossover's washout, which simulated readers wait out in simulated time).
    cases = sum(phase.cases.count() for phase in phases)
    span = timedelta(seconds=cases * (behaviour.seconds_mean + 2 * BETWEEN_CASES.total_seconds()))
    if study.design == StudyDesign.CROSSOVER:
        span += timedelta(days=study.washout_days) / 3
    done = []
    for index in range(len(readers) or n):
        with transaction.atomic():
            if readers:
                participant = readers[index]
            else:
                participant = participant_create(
                    study=study,
                    consent_version=study.consent_version,
                    now=now - 3 * span,
                    is_simulated=True,
                )
            reader_seed = f"{seed}:{participant.pseudonym}"
            rng = random.Random(reader_seed)
            clock = now - 3 * span + timedelta(minutes=rng.uniform(0, 60))
            accuracy = reader_accuracy(behaviour=behaviour, rng=rng)
            if not readers:
                participant.language = rng.choice(study.languages or ["en"])
                participant.save(update_fields=["language"])
                _profile(participant, rng, clock)
            for phase in participant_phases(participant=participant, phases=phases):
                opening = second_session_opening(participant=participant, phase=phase, now=clock)
                if opening is not None and opening.opens_at is not None:
                    clock = max(clock, opening.opens_at)
                clock = _take_phase(
                    participant=participant,
                    phase=phase,
                    accuracy=accuracy,
                    behaviour=behaviour,
                    seed=reader_seed,
                    clock=clock,
                )
            Participant.objects.filter(pk=participant.pk).update(last_seen_at=clock)
        done.append(participant)
        if on_reader_done is not None:
            on_reader_done(participant)
    return done
