"""The contests admin: every model listed, cases picked by image id, readers' data read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contests.models import Case, Event, Reading, Study, StudyStatus
from contests.services.builder import phase_create, phase_images_add, study_create
from contests.services.readings import reading_serve_next
from lesions.models import Image
from tests.contests.factories import make_participant
from tests.contests.researcher_catalogue import held_out_catalogue
from tests.lesions.factories import ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def study() -> Study:
    return study_create(title="Admin", consent_text="ok", dataset=held_out_catalogue(per_class=2))


def _ids(study: Study, n: int, offset: int = 0) -> list[str]:
    images = Image.objects.filter(dataset=study.dataset).order_by("image_id")
    return list(images.values_list("image_id", flat=True)[offset : offset + n])


@pytest.mark.parametrize(
    "model",
    ["study", "phase", "case", "participant", "invitation", "consentrefusal", "reading", "event"],
)
def test_every_contest_model_has_an_admin_list(
    admin_client: Client, study: Study, model: str
) -> None:
    assert admin_client.get(reverse(f"admin:contests_{model}_changelist")).status_code == 200


def test_the_phase_admin_form_adds_images_by_id(admin_client: Client, study: Study) -> None:
    phase = phase_create(study=study, title="Picked")
    url = reverse("admin:contests_phase_change", args=[phase.pk])
    form = {
        "study": study.pk,
        "order": 1,
        "title_en": "Picked",  # the texts come once per language
        "hint_style": "none",
        "case_order": "fixed",
        "add_images": "\n".join(_ids(study, 4)),
        "cases-TOTAL_FORMS": 0,
        "cases-INITIAL_FORMS": 0,
        "cases-MIN_NUM_FORMS": 0,
        "cases-MAX_NUM_FORMS": 1000,
    }
    response = admin_client.post(url, form, follow=True)
    assert "4 cases added." in response.content.decode()
    assert phase.cases.count() == 4
    form["add_images"] = "ISIC_missing"
    response = admin_client.post(url, form, follow=True)
    assert "No image added" in response.content.decode()
    assert phase.cases.count() == 4


def test_readings_and_events_cannot_be_changed_in_the_admin(
    admin_client: Client, study: Study
) -> None:
    phase = phase_create(study=study, title="Untimed")
    phase_images_add(phase=phase, image_ids=_ids(study, 2))
    study.status = StudyStatus.OPEN
    study.save()
    reader, _ = make_participant(study)
    reading = reading_serve_next(participant=reader, phase=phase, now=timezone.now())
    event = Event.objects.first()
    assert (
        admin_client.get(reverse("admin:contests_reading_change", args=[reading.pk])).status_code
        == 200
    )
    response = admin_client.post(
        reverse("admin:contests_reading_change", args=[reading.pk]), {"diagnosis": "mel"}
    )
    assert response.status_code == 403
    assert Reading.objects.get(pk=reading.pk).diagnosis == ""
    assert (
        admin_client.post(reverse("admin:contests_event_delete", args=[event.pk])).status_code
        == 403
    )
    assert Case.objects.count() == 2
    # The phase's cases are fixed now that a reader has met them.
    page = admin_client.get(reverse("admin:contests_phase_change", args=[phase.pk])).content
    assert b'name="cases-0-image"' not in page
    assert b"cases-TOTAL_FORMS" in page


def test_opening_studies_from_the_admin_list(admin_client: Client, study: Study) -> None:
    admin_client.post(
        reverse("admin:contests_study_changelist"),
        {"action": "close_studies", "_selected_action": [study.pk]},
    )
    study.refresh_from_db()
    assert study.status == StudyStatus.CLOSED


def test_a_case_picked_in_the_inline_keeps_the_lesion_and_held_out_rules(
    admin_client: Client, study: Study
) -> None:
    one, two = phase_create(study=study, title="1"), phase_create(study=study, title="2")
    [used] = phase_images_add(phase=one, image_ids=_ids(study, 1))
    free = Image.objects.get(image_id=_ids(study, 1, offset=1)[0])
    train = ImageFactory(lesion__dataset=study.dataset, partition="train")
    url = reverse("admin:contests_phase_change", args=[two.pk])

    def post(*images: Image) -> str:
        form = {
            "study": study.pk,
            "order": 2,
            "title_en": "2",
            "hint_style": "none",
            "case_order": "fixed",
            "cases-TOTAL_FORMS": len(images),
            "cases-INITIAL_FORMS": 0,
            "cases-MIN_NUM_FORMS": 0,
            "cases-MAX_NUM_FORMS": 1000,
        }
        for i, image in enumerate(images):
            form[f"cases-{i}-position"] = i + 1
            form[f"cases-{i}-image"] = image.pk
            form[f"cases-{i}-phase"] = two.pk
        return admin_client.post(url, form, follow=True).content.decode()

    assert "is in another phase" in post(used.image)
    assert "is not a held-out image" in post(train)
    twin = ImageFactory(lesion=free.lesion, partition="test")
    assert "Two cases of this phase show the same lesion." in post(free, twin)
    assert not two.cases.exists()
    post(free)
    assert [c.image for c in two.cases.all()] == [free]
