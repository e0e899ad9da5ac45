"""A small study in the database: a timed phase and a hint phase, real and simulated readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from contests.models import Case, HintStyle, Outcome, Participant, Phase, Reading, Study
from lesions.codes import DIAGNOSES
from tests.contests.factories import (
    PhaseFactory,
    StudyFactory,
    TrainingRunFactory,
    add_cases,
    make_participant,
    predict,
)


@dataclass
class StudySetup:
    study: Study
    timed: Phase
    hinted: Phase
    readers: list[Participant]
    simulated: Participant
    closed_real: int  # closed readings of real readers


def read(
    participant: Participant, case: Case, answer: str | None, *, at: Any, hint: Any = None
) -> Reading:
    """A closed reading: an answer, or a timeout when ``answer`` is None."""
    return Reading.objects.create(
        participant=participant,
        case=case,
        position=case.position,
        served_at=at,
        deadline=at + timedelta(seconds=47),
        answered_at=None if answer is None else at + timedelta(seconds=12),
        elapsed_ms=None if answer is None else 12_000,
        diagnosis=answer or "",
        outcome=Outcome.TIMED_OUT if answer is None else Outcome.ANSWERED,
        hint=hint,
    )


@pytest.fixture
def study_setup(db: Any) -> StudySetup:
    study = StudyFactory(title="Contest 2")
    run = TrainingRunFactory(name="efficientnet_b5-low")
    timed = PhaseFactory(study=study, order=1, title="Timed", time_limit_seconds=45)
    hinted = PhaseFactory(
        study=study,
        order=2,
        title="With AI",
        time_limit_seconds=45,
        hint_style=HintStyle.ALL,
        hint_run=run,
    )
    timed_cases = add_cases(timed, 7)
    hint_cases = add_cases(hinted, 7)
    # The model says "mel" for every image: right on the melanoma only.
    predict(run, [c.image for c in timed_cases + hint_cases], top="mel", p=0.7)
    readers = [
        make_participant(study, years_in_practice=years, specialty="general_practice")[0]
        for years in (3, 12, 25)
    ]
    simulated = make_participant(study)[0]
    Participant.objects.filter(pk=simulated.pk).update(is_simulated=True)
    simulated.refresh_from_db()
    now = timezone.now() - timedelta(hours=1)
    rest = 0.3 / 6
    hint = {
        "run": run.pk,
        "model": run.name,
        "style": "all",
        "probabilities": {code: (0.7 if code == "mel" else rest) for code in DIAGNOSES},
        "top": "mel",
        "top_probability": 0.7,
    }
    closed = 0
    for r, reader in enumerate(readers):
        for i, case in enumerate(timed_cases):
            truth = case.image.lesion.diagnosis
            # Reader r gets the first r+1 cases right, times out on the last one.
            answer = None if i == 6 else (truth if i <= r else "nv" if truth != "nv" else "bkl")
            read(reader, case, answer, at=now + timedelta(minutes=i))
            closed += 1
        for i, case in enumerate(hint_cases):
            truth = case.image.lesion.diagnosis
            answer = truth if i <= r + 2 else "mel"
            read(reader, case, answer, at=now + timedelta(minutes=10 + i), hint=hint)
            closed += 1
    for case in timed_cases:
        read(simulated, case, "nv", at=now)
    # A reading still pending is not a result.
    pending = make_participant(study)[0]
    Reading.objects.create(participant=pending, case=timed_cases[0], position=1, served_at=now)
    return StudySetup(study, timed, hinted, readers, simulated, closed)
