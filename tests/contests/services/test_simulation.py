"""Simulated readers taking phases through the contest services, on the paper's study."""

from __future__ import annotations

import pytest

from contests.models import Participant, Reading, Study
from contests.selectors.hints import hint_run_for
from contests.services.presets import study_create_paper, study_open_waiting_for_hints
from contests.services.simulation import phases_simulate_readers
from contests.simulation import Behaviour
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper_study() -> Study:
    """The paper's study, open, its AI phase's model predicting every held-out image."""
    dataset = held_out_catalogue()
    predicting_run(dataset, top="bcc")
    hint_run = hint_run_for(dataset=dataset)
    assert hint_run is not None
    study = study_create_paper(dataset=dataset, hint_run=hint_run)
    study_open_waiting_for_hints(study=study)
    return study


def test_simulated_readers_go_on_to_a_phase_that_was_waiting_for_its_model(paper_study) -> None:
    timed, hinted = paper_study.phases.get(order=2), paper_study.phases.get(order=3)
    behaviour = Behaviour(accuracy=0.2, ai_follow=1.0, seconds_mean=5)
    readers = phases_simulate_readers(phases=[timed], n=1, behaviour=behaviour)
    again = phases_simulate_readers(phases=[hinted], readers=readers, behaviour=behaviour)
    assert [r.pk for r in again] == [r.pk for r in readers]
    assert Participant.objects.count() == 1
    for reader in readers:
        assert Reading.objects.filter(participant=reader, case__phase=hinted).count() == 35
