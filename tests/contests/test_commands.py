"""create_study and simulate_readers, run as a researcher runs them."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from contests.models import Case, Outcome, Participant, Phase, Reading, Study, StudyStatus
from contests.services.invitations import token_hash
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run

pytestmark = pytest.mark.django_db


def _create_study(*args: str) -> tuple[Study, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_study", *args, stdout=out, stderr=err)
    return Study.objects.get(pk=int(out.getvalue().strip())), err.getvalue()


def test_create_study_builds_the_papers_three_phases_and_prints_the_study_id() -> None:
    dataset = held_out_catalogue()
    run = predicting_run(dataset)
    study, _ = _create_study("--dataset", dataset.name, "--preset", "paper")
    phases = list(study.phases.order_by("order"))
    assert [p.cases.count() for p in phases] == [163, 35, 35]
    assert [p.time_limit_seconds for p in phases] == [None, 45, 45]
    assert [p.hint_style for p in phases] == ["none", "none", "all"]
    assert [p.gated for p in phases] == [False, False, True]
    assert phases[2].hint_run == run
    assert study.dataset == dataset
    assert study.status == StudyStatus.DRAFT
    cases = Case.objects.filter(phase__study=study).select_related("image")
    assert {case.image.partition for case in cases} == {"test"}
    # No lesion in two phases: every case shows a lesion of its own.
    lesions = Counter(case.image.lesion_id for case in cases)
    assert len(lesions) == 233
    assert max(lesions.values()) == 1


def test_create_study_can_show_only_the_top_class_and_open_the_study() -> None:
    dataset = held_out_catalogue()
    predicting_run(dataset)
    study, _ = _create_study("--dataset", dataset.name, "--hint-style", "top", "--open")
    assert study.status == StudyStatus.OPEN
    assert study.phases.get(order=3).hint_style == "top"


def test_create_study_writes_invitation_links_whose_tokens_are_stored_only_hashed(
    tmp_path: Path,
) -> None:
    dataset = held_out_catalogue()
    predicting_run(dataset)
    links = tmp_path / "links.csv"
    study, _ = _create_study("--dataset", dataset.name, "--invitations", "3", "--links", str(links))
    rows = list(csv.DictReader(links.open()))
    assert len(rows) == 3
    tokens = [row["link"].rstrip("/").rsplit("/", 1)[-1] for row in rows]
    stored = set(study.invitations.values_list("token_hash", flat=True))
    assert {token_hash(token) for token in tokens} == stored
    assert not any(token in stored for token in tokens)


def test_create_study_opens_with_the_hint_phase_waiting_when_the_model_has_no_predictions_yet() -> (
    None
):
    from tests.contests.factories import TrainingRunFactory

    dataset = held_out_catalogue()
    run = TrainingRunFactory(name="still-training")
    study, err = _create_study("--dataset", dataset.name, "--hint-run", run.name, "--open")
    assert study.status == StudyStatus.OPEN
    assert "waiting for the hint model's predictions" in err


def test_create_study_refuses_an_unknown_data_set() -> None:
    with pytest.raises(CommandError, match="No data set named 'nope'"):
        call_command("create_study", "--dataset", "nope", stdout=io.StringIO())


def test_create_study_without_any_model_says_how_to_get_one() -> None:
    dataset = held_out_catalogue(per_class=2)
    with pytest.raises(CommandError, match="import_predictions"):
        call_command("create_study", "--dataset", dataset.name, stdout=io.StringIO())
    assert not Study.objects.exists()


def test_create_study_on_too_small_a_catalogue_stores_nothing() -> None:
    dataset = held_out_catalogue(per_class=5)
    predicting_run(dataset)
    with pytest.raises(CommandError, match="cannot draw 163"):
        call_command("create_study", "--dataset", dataset.name, stdout=io.StringIO())
    assert not Study.objects.exists()
    assert not Phase.objects.exists()


def test_create_study_scales_every_phase_for_a_small_catalogue() -> None:
    dataset = held_out_catalogue(per_class=5)
    predicting_run(dataset)
    study, _ = _create_study("--dataset", dataset.name, "--scale", "0.1")
    assert [p.cases.count() for p in study.phases.order_by("order")] == [16, 4, 4]


def test_create_study_refuses_a_scale_outside_zero_to_one() -> None:
    dataset = held_out_catalogue(per_class=5)
    predicting_run(dataset)
    with pytest.raises(CommandError, match="scale"):
        call_command(
            "create_study", "--dataset", dataset.name, "--scale", "2", stdout=io.StringIO()
        )
    assert not Study.objects.exists()


@pytest.fixture
def paper_study() -> Study:
    dataset = held_out_catalogue()
    predicting_run(dataset, top="bcc")
    study, _ = _create_study("--dataset", dataset.name, "--open")
    return study


def _simulate(*args: str) -> str:
    out = io.StringIO()
    call_command("simulate_readers", *args, stdout=out, verbosity=0)
    return out.getvalue()


@pytest.mark.slow
def test_simulated_readers_take_the_whole_untimed_phase_and_are_flagged(paper_study) -> None:
    phase = paper_study.phases.get(order=1)
    out = _simulate("--phase", str(phase.pk), "--n", "1", "--accuracy", "1.0", "--seed", "1")
    readers = Participant.objects.filter(study=paper_study)
    assert "1 simulated readers: S001" in out
    assert [r.pseudonym for r in readers] == ["S001"]
    assert all(r.is_simulated for r in readers)
    readings = Reading.objects.filter(case__phase=phase).select_related("case__image__lesion")
    assert readings.count() == 163
    # Accuracy 1: every answer is the diagnosis, each with a positive simulated time.
    assert all(r.outcome == Outcome.ANSWERED for r in readings)
    assert all(r.diagnosis == r.case.image.lesion.diagnosis for r in readings)
    assert all(r.elapsed_ms > 0 for r in readings)


def test_slow_simulated_readers_time_out_in_a_timed_phase(paper_study) -> None:
    phase = paper_study.phases.get(order=2)
    out = _simulate("--phase", str(phase.pk), "--n", "2", "--seconds-mean", "45")
    assert "2 simulated readers: S001, S002" in out
    outcomes = Counter(Reading.objects.filter(case__phase=phase).values_list("outcome", flat=True))
    assert outcomes[Outcome.TIMED_OUT] > 0
    assert outcomes[Outcome.ANSWERED] > 0
    assert sum(outcomes.values()) == 2 * 35
    timed_out = Reading.objects.filter(case__phase=phase, outcome=Outcome.TIMED_OUT)
    # The page's countdown stops the clock at the limit, never later.
    assert {r.elapsed_ms for r in timed_out} == {45_000}


def test_simulated_readers_follow_the_hint_and_see_it_stored(paper_study) -> None:
    timed, hinted = paper_study.phases.get(order=2), paper_study.phases.get(order=3)
    _simulate(
        "--phase", str(timed.pk), "--phase", str(hinted.pk),
        "--n", "2", "--accuracy", "0", "--ai-follow", "1", "--seconds-mean", "5",
    )  # fmt: skip
    readings = Reading.objects.filter(case__phase=hinted, outcome=Outcome.ANSWERED)
    assert readings.count() > 0
    assert {r.diagnosis for r in readings} == {"bcc"}
    assert all(r.hint["top"] == "bcc" and r.hint["style"] == "all" for r in readings)


def test_simulating_a_gated_phase_alone_names_the_phase_it_needs(paper_study) -> None:
    timed, hinted = paper_study.phases.get(order=2), paper_study.phases.get(order=3)
    with pytest.raises(CommandError, match=f"--phase {timed.pk} --phase {hinted.pk}"):
        _simulate("--phase", str(hinted.pk), "--n", "1")
    assert not Participant.objects.exists()


def test_simulate_readers_refuses_an_unknown_phase_and_impossible_accuracy(paper_study) -> None:
    with pytest.raises(CommandError, match="No phase with id 999999"):
        _simulate("--phase", "999999")
    phase = paper_study.phases.get(order=1)
    with pytest.raises(CommandError, match="accuracy must be between 0 and 1"):
        _simulate("--phase", str(phase.pk), "--accuracy", "1.2")


def test_the_same_seed_gives_the_same_simulated_answers() -> None:
    dataset = held_out_catalogue()
    predicting_run(dataset)
    # Two studies drawn with the same seed from one catalogue hold the same images.
    first, _ = _create_study("--dataset", dataset.name, "--open")
    second, _ = _create_study("--dataset", dataset.name, "--open")
    answers = []
    for study in (first, second):
        phase = study.phases.get(order=2)
        _simulate("--phase", str(phase.pk), "--n", "2", "--seed", "5")
        readings = Reading.objects.filter(case__phase=phase)
        answers.append(
            sorted(
                readings.values_list(
                    "participant__pseudonym", "case__image__image_id", "outcome", "diagnosis"
                )
            )
        )
    assert len(answers[0]) == 70
    assert answers[0] == answers[1]


def test_simulating_an_ai_phase_whose_model_has_not_predicted_yet_stores_nothing() -> None:
    from tests.contests.factories import TrainingRunFactory

    dataset = held_out_catalogue()
    run = TrainingRunFactory(name="not-yet")
    study, _ = _create_study("--dataset", dataset.name, "--hint-run", run.name, "--open")
    timed, hinted = study.phases.get(order=2), study.phases.get(order=3)
    with pytest.raises(CommandError, match="being prepared"):
        _simulate("--phase", str(timed.pk), "--phase", str(hinted.pk), "--n", "1")
    assert not Participant.objects.exists()
    assert not Reading.objects.exists()


def test_create_study_builds_a_crossover_and_a_counterbalanced_paper_study() -> None:
    dataset = held_out_catalogue()
    predicting_run(dataset)
    study, _ = _create_study(
        "--dataset", dataset.name, "--preset", "crossover", "--washout-days", "21", "--confidence"
    )
    without, with_ai = study.phases.order_by("order")
    assert (study.design, study.washout_days, study.asks_confidence) == ("crossover", 21, True)
    assert [p.cases.count() for p in (without, with_ai)] == [70, 70]
    assert with_ai.shares_cases_with == without
    paper, _ = _create_study("--dataset", dataset.name, "--counterbalanced", "--scale", "0.5")
    assert paper.design == "counterbalanced"
    with_ai = Case.objects.filter(phase__study=paper, phase__order=3)
    sets = Counter(with_ai.values_list("image_set", flat=True))
    assert sets == {"A": 18, "B": 18}
