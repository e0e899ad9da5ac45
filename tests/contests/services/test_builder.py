"""Building studies: cases drawn from the held-out split or picked by id, the lesion rule,
opening a study."""

from __future__ import annotations

from collections import Counter

import pytest

from contests.models import HintStyle, Study
from contests.services.builder import (
    phase_cases_draw,
    phase_cases_set,
    phase_create,
    phase_images_add,
    phase_update,
    study_close,
    study_create,
    study_open,
    study_phases_reorder,
)
from contests.services.errors import BuilderError, PhaseImageError, StudyNotDraft
from lesions.codes import DIAGNOSES
from lesions.models import Dataset, Image
from tests.contests.factories import TrainingRunFactory, predict
from tests.contests.researcher_catalogue import held_out_catalogue
from tests.lesions.factories import DatasetFactory, ImageFactory, LesionFactory

pytestmark = pytest.mark.django_db

# Held-out lesions per class, shaped like HAM10000's skew (nv dominant).
HELD_OUT = {"akiec": 6, "bcc": 8, "bkl": 12, "df": 4, "mel": 12, "nv": 50, "vasc": 4}


@pytest.fixture
def dataset() -> Dataset:
    dataset = DatasetFactory(name="ham")
    for code, n in HELD_OUT.items():
        for _ in range(n):
            lesion = LesionFactory(dataset=dataset, diagnosis=code)
            # Some lesions have two images, as in HAM10000.
            ImageFactory(lesion=lesion)
            if code in ("nv", "mel"):
                ImageFactory(lesion=lesion)
    for _ in range(20):
        ImageFactory(lesion__dataset=dataset, lesion__diagnosis="mel", partition="train")
    return dataset


def _study_with_phases(n_phases: int = 2):
    study = study_create(title="Paper", consent_text="...")
    phases = [phase_create(study=study, title=f"P{i + 1}") for i in range(n_phases)]
    return study, phases


def test_draws_come_from_the_held_out_split_stratified_by_diagnosis(dataset) -> None:
    _, [phase, _] = _study_with_phases()
    cases = phase_cases_draw(phase=phase, dataset=dataset, n=48, seed=3)
    assert len(cases) == 48
    assert [c.position for c in cases] == list(range(1, 49))
    assert all(c.image.partition == "test" for c in cases)
    counts = Counter(c.image.lesion.diagnosis for c in cases)
    # 48 of 96 lesions: every class at half its held-out count.
    assert counts == {code: n // 2 for code, n in HELD_OUT.items()}


def test_one_image_per_lesion_and_no_lesion_in_two_phases(dataset) -> None:
    _, [first, second] = _study_with_phases()
    phase_cases_draw(phase=first, dataset=dataset, n=60, seed=1)
    phase_cases_draw(phase=second, dataset=dataset, n=36, seed=2)
    lesions_first = [c.image.lesion_id for c in first.cases.all()]
    lesions_second = [c.image.lesion_id for c in second.cases.all()]
    assert len(set(lesions_first)) == 60
    assert len(set(lesions_second)) == 36
    assert not set(lesions_first) & set(lesions_second)
    # All 96 held-out lesions are now used: nothing is left for a third phase.
    third = phase_create(study=first.study, title="P3")
    with pytest.raises(BuilderError, match="Only 0 held-out lesions"):
        phase_cases_draw(phase=third, dataset=dataset, n=1)


def test_the_same_seed_draws_the_same_cases(dataset) -> None:
    _, [a] = _study_with_phases(1)
    _, [b] = _study_with_phases(1)
    _, [c] = _study_with_phases(1)
    images_a = [x.image_id for x in phase_cases_draw(phase=a, dataset=dataset, n=20, seed=7)]
    images_b = [x.image_id for x in phase_cases_draw(phase=b, dataset=dataset, n=20, seed=7)]
    images_c = [x.image_id for x in phase_cases_draw(phase=c, dataset=dataset, n=20, seed=8)]
    assert images_a == images_b
    assert images_a != images_c


def test_given_proportions_are_kept(dataset) -> None:
    _, [phase] = _study_with_phases(1)
    cases = phase_cases_draw(
        phase=phase, dataset=dataset, n=14, proportions={code: 1 for code in DIAGNOSES}
    )
    assert Counter(c.image.lesion.diagnosis for c in cases) == {code: 2 for code in DIAGNOSES}


def test_proportions_asking_for_more_than_a_class_has_are_refused(dataset) -> None:
    _, [phase] = _study_with_phases(1)
    with pytest.raises(BuilderError, match="class df"):
        phase_cases_draw(phase=phase, dataset=dataset, n=20, proportions={"df": 1})
    assert not phase.cases.exists()


def test_picked_images_must_keep_the_lesion_rule(dataset) -> None:
    _, [first, second] = _study_with_phases()
    images = list(dataset.images.filter(partition="test").order_by("id"))
    phase_cases_set(phase=first, images=images[:3])
    with pytest.raises(BuilderError, match="another phase"):
        phase_cases_set(phase=second, images=[images[0]])
    twins = [i for i in images if i.lesion.images.count() == 2][:1]
    pair = list(twins[0].lesion.images.all())
    with pytest.raises(BuilderError, match="same lesion"):
        phase_cases_set(phase=second, images=pair)
    train = dataset.images.filter(partition="train").first()
    with pytest.raises(BuilderError, match="held-out"):
        phase_cases_set(phase=second, images=[train])
    assert not second.cases.exists()


def test_a_study_opens_only_with_cases_and_every_hint_ready(dataset) -> None:
    study, [plain] = _study_with_phases(1)
    run = TrainingRunFactory()
    hinted = phase_create(study=study, title="AI", hint_style=HintStyle.TOP, hint_run_id=run.pk)
    with pytest.raises(BuilderError, match="no cases"):
        study_open(study=study)
    phase_cases_draw(phase=plain, dataset=dataset, n=10)
    cases = phase_cases_draw(phase=hinted, dataset=dataset, n=10)
    predict(run, [c.image for c in cases[:9]])
    with pytest.raises(BuilderError, match="no prediction for 1 of its images"):
        study_open(study=study)
    study.refresh_from_db()
    assert study.status == "draft"
    predict(run, [cases[9].image])
    assert study_open(study=study).status == "open"


def test_a_hint_phase_needs_a_model() -> None:
    study, _ = _study_with_phases(0)
    with pytest.raises(BuilderError, match="hint model"):
        phase_create(study=study, title="AI", hint_style=HintStyle.ALL)


@pytest.fixture
def study() -> Study:
    """A study on a small held-out catalogue (two lesions per class), to pick images from."""
    return study_create(title="Picked", consent_text="ok", dataset=held_out_catalogue(per_class=2))


def _ids(study: Study, n: int, offset: int = 0) -> list[str]:
    images = Image.objects.filter(dataset=study.dataset).order_by("image_id")
    return list(images.values_list("image_id", flat=True)[offset : offset + n])


def test_images_are_added_to_a_phase_by_their_ids(study: Study) -> None:
    phase = phase_create(study=study, title="Picked")
    first = phase_images_add(phase=phase, image_ids=_ids(study, 3))
    more = phase_images_add(phase=phase, image_ids=_ids(study, 2, offset=3))
    assert [c.position for c in first + more] == [1, 2, 3, 4, 5]
    assert [c.image.image_id for c in phase.cases.order_by("position")] == _ids(study, 5)


def test_picking_refuses_unknown_images_and_lesions_of_another_phase(study: Study) -> None:
    one, two = phase_create(study=study, title="1"), phase_create(study=study, title="2")
    phase_images_add(phase=one, image_ids=_ids(study, 2))
    with pytest.raises(PhaseImageError, match="ISIC_nope"):
        phase_images_add(phase=two, image_ids=["ISIC_nope"])
    with pytest.raises(PhaseImageError, match="already in another phase"):
        phase_images_add(phase=two, image_ids=_ids(study, 3, offset=1))
    train = ImageFactory(lesion__dataset=study.dataset, partition="train")
    with pytest.raises(PhaseImageError, match="Not held-out"):
        phase_images_add(phase=two, image_ids=[train.image_id])
    assert not two.cases.exists()


def test_a_draft_s_phase_changes_under_the_creation_rules(db: None) -> None:
    study = study_create(title="S")
    phase = phase_create(study=study, title="One")
    run = TrainingRunFactory()
    phase_update(phase=phase, changes={"hint_style": "top", "hint_run_id": run.pk, "gated": True})
    phase.refresh_from_db()
    assert (phase.hint_style, phase.hint_run_id, phase.gated) == ("top", run.pk, True)
    with pytest.raises(BuilderError, match="needs a hint model"):
        phase_update(phase=phase, changes={"hint_run_id": None})
    with pytest.raises(BuilderError, match="5 to 3600 seconds"):
        phase_update(phase=phase, changes={"time_limit_seconds": 0})
    phase_update(phase=phase, changes={"hint_style": "none"})
    phase.refresh_from_db()
    assert phase.hint_run_id is None  # no model is kept for a phase without hints
    study_close(study=study)
    with pytest.raises(StudyNotDraft):
        phase_update(phase=phase, changes={"title": "Late"})


def test_a_draft_s_phases_are_reordered_all_at_once(db: None) -> None:
    study = study_create(title="S")
    a, b, c = (phase_create(study=study, title=t) for t in "ABC")
    study_phases_reorder(study=study, phase_ids=[c.pk, a.pk, b.pk])
    assert list(study.phases.order_by("order").values_list("title", flat=True)) == ["C", "A", "B"]
    with pytest.raises(BuilderError, match="every phase"):
        study_phases_reorder(study=study, phase_ids=[c.pk, a.pk])
    with pytest.raises(BuilderError):
        study_phases_reorder(study=study, phase_ids=[c.pk, c.pk, a.pk])
