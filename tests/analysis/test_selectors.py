from __future__ import annotations

import numpy as np
import pytest

from analysis import frames as F
from analysis import selectors
from tests.analysis.conftest import StudySetup

pytestmark = pytest.mark.django_db


def test_the_readings_table_has_one_row_per_closed_reading_of_real_readers(
    study_setup: StudySetup,
) -> None:
    frame = selectors.study_readings(study_setup.study)
    assert len(frame) == study_setup.closed_real
    for column in F.REQUIRED:
        assert column in frame.columns
    F.validate(frame)
    assert set(frame[F.READER]) == {r.pseudonym for r in study_setup.readers}
    assert set(frame[F.PHASE_KIND]) == {F.TIMED, F.HINT}
    assert not frame[F.SIMULATED].any()


def test_simulated_readers_come_in_only_when_asked(study_setup: StudySetup) -> None:
    frame = selectors.study_readings(study_setup.study, include_simulated=True)
    assert len(frame) == study_setup.closed_real + 7
    assert frame[F.SIMULATED].sum() == 7


def test_timeouts_have_no_answer_and_truth_comes_from_the_lesion(study_setup: StudySetup) -> None:
    frame = selectors.study_readings(study_setup.study)
    timeouts = frame[frame[F.OUTCOME] == F.TIMED_OUT]
    assert len(timeouts) == 3  # one per reader in the timed phase
    assert timeouts[F.ANSWER].isna().all()
    case = study_setup.timed.cases.order_by("position").first()
    rows = frame[frame[F.CASE] == case.pk]
    assert set(rows[F.TRUTH]) == {case.image.lesion.diagnosis}
    assert set(rows[F.IMAGE]) == {case.image.public_id}


def test_the_hint_as_shown_and_the_models_prediction_fill_their_columns(
    study_setup: StudySetup,
) -> None:
    frame = selectors.study_readings(study_setup.study)
    hinted = frame[frame[F.PHASE_KIND] == F.HINT]
    timed = frame[frame[F.PHASE_KIND] == F.TIMED]
    assert set(hinted[F.HINT_TOP]) == {"mel"}
    assert np.allclose(hinted[F.HINT_PREFIX + "mel"], 0.7)
    assert timed[F.HINT_TOP].isna().all()
    # The same model's prediction is there in the phase without hint too.
    assert set(frame[F.AI_TOP]) == {"mel"}
    assert np.allclose(timed[F.AI_PREFIX + "mel"], 0.7)
    assert set(frame[F.YEARS_IN_PRACTICE]) == {3, 12, 25}
