"""Study designs end to end: simulated readers take a crossover (waiting out the washout in
simulated time) and a counterbalanced study through the contest services; the readings table,
the report and the exports then show each design's analysis and every reading's place in it."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from analysis import exports, services
from analysis import frames as F
from analysis.report_tables import report_tables
from contests.models import Study
from contests.services.builder import study_open
from contests.services.presets import study_create_crossover, study_create_paper
from contests.services.simulation import phases_simulate_readers
from contests.simulation import Behaviour
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run

pytestmark = pytest.mark.django_db

BEHAVIOUR = Behaviour(accuracy=0.35, ai_follow=0.5, seconds_mean=8)


def _simulated(study: Study, readers: int) -> tuple[pd.DataFrame, object]:
    phases = list(study.phases.order_by("order"))
    phases_simulate_readers(phases=phases, n=readers, behaviour=BEHAVIOUR, seed=4)
    return services.study_report_build(study=study, include_simulated=True)


@pytest.fixture
def crossover() -> Study:
    dataset = held_out_catalogue(per_class=12)
    study = study_create_crossover(
        dataset=dataset, hint_run=predicting_run(dataset, top="nv"), scale=0.2, washout_days=28
    )
    return study_open(study=study)


def test_a_crossover_report_runs_the_crossed_mrmc_with_period_and_sequence_effects(
    crossover: Study,
) -> None:
    frame, report = _simulated(crossover, readers=8)
    # Every reader took both sessions, 28 days or more apart, in their arm's order.
    per_reader = frame.groupby([F.READER, F.SESSION])[F.SERVED_AT].agg(["min", "max"]).unstack()
    gap = per_reader[("min", 2)] - per_reader[("max", 1)]
    assert (gap >= pd.Timedelta(days=28)).all()
    sequences = frame.groupby(F.READER)[F.SEQUENCE].first().value_counts()
    assert sequences.to_dict() == {"without AI, then with AI": 4, "with AI, then without AI": 4}
    with_ai_first = frame[frame[F.SEQUENCE] == "with AI, then without AI"]
    assert set(with_ai_first.loc[with_ai_first[F.PERIOD] == 1, F.PHASE_KIND]) == {F.HINT}
    (comparison,) = report.comparisons
    assert comparison.design is not None
    assert comparison.design.design == "crossed"
    assert comparison.mrmc is not None
    assert comparison.mrmc.design == "crossed"
    figures = [analysis.figure for analysis in comparison.crossover]
    assert figures[0] == "accuracy"
    accuracy = comparison.crossover[0]
    assert (accuracy.readers_first_without, accuracy.readers_first_with) == (4, 4)
    tables = report_tables(report)
    effects = set(tables["crossover"]["effect"])
    assert {"period (2 - 1)", "AI (with - without)"} <= effects
    assert any(effect.startswith("carry-over") for effect in effects)
    assert set(tables["by_sequence"]["sequence"]) == set(sequences.index)
    assert "crossed" in set(tables["mrmc_figures"]["design"])


def test_the_exports_carry_session_period_sequence_and_image_set(crossover: Study) -> None:
    frame, _ = _simulated(crossover, readers=4)
    buffer = io.StringIO()
    exports.write_long(frame, buffer, include_simulated=True)
    buffer.seek(0)
    back = pd.read_csv(buffer, keep_default_na=False)
    for column in (F.SESSION, F.PERIOD, F.SEQUENCE, F.IMAGE_SET, F.CONFIDENCE):
        assert column in back.columns
    assert set(back[F.SESSION]) == {1, 2}
    assert set(back[F.PERIOD]) == {1, 2}
    assert (back[F.SESSION] == back[F.PERIOD]).all()  # a crossover's periods are its sessions


def test_a_counterbalanced_report_uses_the_partially_paired_analysis_and_says_why() -> None:
    dataset = held_out_catalogue(per_class=12)
    study = study_create_paper(
        dataset=dataset, hint_run=predicting_run(dataset), scale=0.2, counterbalanced=True
    )
    study_open(study=study)
    frame, report = _simulated(study, readers=8)
    contest_2 = frame[frame[F.PHASE_KIND] != F.UNTIMED]
    assert set(contest_2[F.IMAGE_SET]) == {"A", "B"}
    sets = contest_2.groupby([F.READER, F.PHASE_KIND])[F.IMAGE_SET].nunique()
    assert (sets == 1).all()  # one set per reader and phase
    swapped = contest_2.groupby(F.READER)[F.IMAGE_SET].nunique()
    assert (swapped == 2).all()  # and the other set in the other phase
    (comparison,) = report.comparisons
    assert comparison.design is not None
    assert comparison.design.design == "partially_paired"
    assert "Obuchowski, Gallas & Hillis (2012)" in comparison.design.source
    assert comparison.crossover == []  # everybody read without the AI first
    assert set(comparison.by_sequence["sequence"]) == {
        "set A without AI, set B with AI",
        "set B without AI, set A with AI",
    }
    buffer = io.StringIO()
    exports.write_long(frame, buffer, include_simulated=True)
    buffer.seek(0)
    back = pd.read_csv(buffer, keep_default_na=False)
    assert set(back[F.IMAGE_SET]) == {"", "A", "B"}
