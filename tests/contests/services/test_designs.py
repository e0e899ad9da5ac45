"""Building counterbalanced and crossover studies, the lesion rule's one exception, and the
readers' blocked randomisation."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from classifier.models import TrainingRun
from contests.models import Case, Participant, Study, StudyDesign
from contests.selectors.designs import participant_phase_cases, study_paired_phases
from contests.selectors.researcher import study_progress
from contests.services.builder import phase_cases_draw, phase_create, study_open
from contests.services.errors import BuilderError
from contests.services.participants import participant_create
from contests.services.presets import study_create_crossover, study_create_paper
from lesions.models import Dataset
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> tuple[Dataset, TrainingRun]:
    dataset = held_out_catalogue(per_class=12)
    return dataset, predicting_run(dataset)


def _readers(study: Study, n: int, *, simulated: bool = False) -> list[Participant]:
    return [
        participant_create(
            study=study,
            consent_version=study.consent_version,
            now=timezone.now(),
            is_simulated=simulated,
        )
        for _ in range(n)
    ]


def test_a_crossovers_two_sessions_show_the_same_images_under_other_keys(
    catalogue: tuple[Dataset, TrainingRun],
) -> None:
    dataset, run = catalogue
    study = study_create_crossover(dataset=dataset, hint_run=run, scale=0.1, washout_days=21)
    without, with_ai = study.phases.order_by("order")
    assert (study.design, study.washout_days) == (StudyDesign.CROSSOVER, 21)
    assert (without.has_hint, with_ai.has_hint) == (False, True)
    assert not without.gated
    assert not with_ai.gated
    assert with_ai.shares_cases_with == without
    assert study_paired_phases(study=study) == (without, with_ai)
    images = [
        list(p.cases.order_by("position").values_list("image_id", flat=True))
        for p in (without, with_ai)
    ]
    assert images[0] == images[1]
    assert len(images[0]) == 7
    keys = set(Case.objects.filter(phase__study=study).values_list("key", flat=True))
    assert len(keys) == 14
    study_open(study=study)


def test_the_lesion_rule_holds_between_phases_that_do_not_share_by_design(
    catalogue: tuple[Dataset, TrainingRun],
) -> None:
    dataset, run = catalogue
    study = study_create_crossover(dataset=dataset, hint_run=run, scale=0.1)
    without, with_ai = study.phases.order_by("order")
    extra = phase_create(study=study, title="An untimed third phase")
    drawn = phase_cases_draw(phase=extra, dataset=dataset, n=40, seed=5)
    paired = set(without.cases.values_list("image__lesion_id", flat=True))
    assert paired.isdisjoint({case.image.lesion_id for case in drawn})
    with pytest.raises(BuilderError, match="shares its images with another by design"):
        phase_cases_draw(phase=with_ai, dataset=dataset, n=3)


def test_counterbalanced_phases_each_hold_both_image_sets(
    catalogue: tuple[Dataset, TrainingRun],
) -> None:
    dataset, run = catalogue
    study = study_create_paper(dataset=dataset, hint_run=run, scale=0.1, counterbalanced=True)
    untimed, timed, with_ai = study.phases.order_by("order")
    assert study.design == StudyDesign.COUNTERBALANCED
    assert with_ai.shares_cases_with == timed
    for phase in (timed, with_ai):
        assert Counter(phase.cases.values_list("image_set", flat=True)) == {"A": 4, "B": 4}
    set_a = set(timed.cases.filter(image_set="A").values_list("image_id", flat=True))
    assert set_a == set(with_ai.cases.filter(image_set="A").values_list("image_id", flat=True))
    # Contest 1 keeps its own lesions; contest 2's two sets are disjoint.
    lesions = Counter(
        Case.objects.filter(phase__study=study).values_list("image__lesion_id", "phase")
    )
    assert max(Counter(lesion for lesion, _ in lesions).values()) == 2
    assert untimed.cases.filter(image_set="").count() == untimed.cases.count()
    study_open(study=study)
    block = _readers(study, 4)
    arm0 = next(reader for reader in block if reader.arm == 0)
    arm1 = next(reader for reader in block if reader.arm == 1)
    sets = {
        reader.arm: [
            set(
                participant_phase_cases(participant=reader, phase=p).values_list(
                    "image_set", flat=True
                )
            )
            for p in (timed, with_ai)
        ]
        for reader in (arm0, arm1)
    }
    assert sets == {0: [{"A"}, {"B"}], 1: [{"B"}, {"A"}]}
    assert participant_phase_cases(participant=arm0, phase=untimed).count() == untimed.cases.count()
    # The researcher's progress counts each reader's own set.
    totals = {
        row.participant.pk: [p.total for p in row.phases] for row in study_progress(study=study)
    }
    assert totals[arm0.pk] == [untimed.cases.count(), 4, 4]


def test_readers_are_randomised_in_balanced_blocks_real_and_simulated_apart(
    catalogue: tuple[Dataset, TrainingRun],
) -> None:
    dataset, run = catalogue
    study = study_create_crossover(dataset=dataset, hint_run=run, scale=0.1, block_size=4)
    study_open(study=study)
    real = _readers(study, 6)
    simulated = _readers(study, 6, simulated=True)
    real += _readers(study, 6)
    arms = [reader.arm for reader in real]
    for start in range(0, 12, 4):
        assert sorted(arms[start : start + 4]) == [0, 0, 1, 1]
    assert sorted(r.arm for r in simulated[:4]) == [0, 0, 1, 1]
    assert study.randomisation_seed == type(study).objects.get(pk=study.pk).randomisation_seed


def test_a_sequential_study_leaves_its_readers_without_an_arm(
    catalogue: tuple[Dataset, TrainingRun],
) -> None:
    dataset, run = catalogue
    study = study_create_paper(dataset=dataset, hint_run=run, scale=0.1)
    (reader,) = _readers(study, 1)
    assert reader.arm is None


def test_a_paired_study_without_its_pair_does_not_open(
    catalogue: tuple[Dataset, TrainingRun],
) -> None:
    dataset, run = catalogue
    study = study_create_crossover(dataset=dataset, hint_run=run, scale=0.1)
    with_ai = study.phases.get(order=2)
    with_ai.shares_cases_with = None
    with_ai.save()
    with pytest.raises(BuilderError, match="needs its two paired phases"):
        study_open(study=study)
