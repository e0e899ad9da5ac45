"""Nothing of a case's truth reaches a GP: a whole study walked through, every response checked.

A reader takes every phase (untimed, timed with a timeout, an AI phase showing the top class,
an AI phase showing all seven probabilities), reloads, resubmits, switches language and asks
for an image not yet served. Every response's headers and body are then searched for the
diagnosis code and names (English and Spanish), the ISIC id, the stored file name and public id
of every image of the study; the served images are checked for metadata.

The seven diagnosis names are on every case page (the answer buttons), so a name alone proves
nothing; what would leak is a page that names one diagnosis more often than the others. The
check is therefore: in every response, every diagnosis is named equally often, except the AI's
top class in a top-class hint. The hint model here is always wrong, so the truth is never that
exception.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image as PILImage

from classifier.models import Prediction
from contests.models import Case, HintStyle, Participant, Reading, Study
from contests.services.invitations import invitation_create_batch
from lesions.codes import DIAGNOSES
from lesions.models import Diagnosis, Image
from tests.contests.factories import PhaseFactory, StudyFactory, TrainingRunFactory
from tests.lesions.factories import DatasetFactory, ImageFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PROFILE = {
    "years_in_practice": "12",
    "specialty": "general_practice",
    "dermoscopy_training": "short_course",
    "country": "Argentina",
}
# A code must stand alone to count: not inside a random token, a word or a path.
STANDALONE = r"(?<![A-Za-z0-9_\-]){}(?![A-Za-z0-9_\-])"


def _names(code: str) -> list[str]:
    names = [str(Diagnosis(code).label)]
    with translation.override("es"):
        names.append(str(Diagnosis(code).label))
    return names


def diagnosis_counts(text: str) -> dict[str, int]:
    """How often each diagnosis is named (its code, English or Spanish name) in a text."""
    lowered = text.lower()
    counts = {}
    for code in DIAGNOSES:
        n = len(re.findall(STANDALONE.format(code), lowered))
        for name in set(_names(code)):
            n += lowered.count(name.lower())
        counts[code] = n
    return counts


def singled_out(text: str, *, allowed: Iterable[str] = ()) -> list[str]:
    """The diagnoses a text names more often than the rest (those in ``allowed`` excepted)."""
    counts = diagnosis_counts(text)
    others = [counts[code] for code in DIAGNOSES if code not in allowed]
    floor = min(others)
    return [code for code in DIAGNOSES if code not in allowed and counts[code] > floor]


def jpeg_with_metadata(*, image_id: str, diagnosis: str) -> bytes:
    """A JPEG that carries the secrets in EXIF and in a comment, as a camera export might."""
    picture = PILImage.new("RGB", (64, 48), (160, 100, 80))
    exif = PILImage.Exif()
    exif[0x010E] = f"{image_id} {diagnosis}"  # ImageDescription
    exif[0x013B] = "Dermatology department"  # Artist
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", exif=exif.tobytes(), comment=f"{image_id}.jpg")
    return buffer.getvalue()


@dataclass
class Seen:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str


class Recorder:
    """A test client that keeps every response a GP's browser would receive."""

    def __init__(self) -> None:
        self.client = Client()
        self.seen: list[Seen] = []

    def _keep(self, url: str, response: Any) -> Any:
        headers = {name: value for name, value in response.items()}
        cookies = "; ".join(morsel.OutputString() for morsel in response.cookies.values())
        if cookies:
            headers["Set-Cookie"] = cookies
        self.seen.append(
            Seen(url, response.status_code, headers, response.content, response["Content-Type"])
        )
        return response

    def get(self, url: str, **extra: Any) -> Any:
        return self._keep(url, self.client.get(url, **extra))

    def post(self, url: str, data: dict[str, Any], **extra: Any) -> Any:
        return self._keep(url, self.client.post(url, data, **extra))


def _key(html: str) -> str | None:
    found = re.search(r'name="case" value="([^"]+)"', html)
    return found.group(1) if found else None


@pytest.fixture
def study() -> Study:
    dataset = DatasetFactory(name="leak-check")
    study = StudyFactory(title="Skin study", consent_text="You may stop at any time.")
    study.dataset = dataset
    study.save()
    run = TrainingRunFactory(name="hint-model")
    phases = [
        PhaseFactory(study=study, order=1, title="Untimed"),
        PhaseFactory(study=study, order=2, title="Timed", time_limit_seconds=45),
        PhaseFactory(
            study=study,
            order=3,
            title="With the AI",
            time_limit_seconds=45,
            hint_style=HintStyle.TOP,
            hint_run=run,
            gated=True,
        ),
        PhaseFactory(
            study=study, order=4, title="AI table", hint_style=HintStyle.ALL, hint_run=run
        ),
    ]
    number = 24306
    for phase, n in zip(phases, (7, 3, 4, 4), strict=True):
        for position in range(1, n + 1):
            code = DIAGNOSES[(number + position) % len(DIAGNOSES)]
            image_id = f"ISIC_00{number}"
            image = ImageFactory(
                lesion__dataset=dataset,
                lesion__diagnosis=code,
                image_id=image_id,
                file=ContentFile(jpeg_with_metadata(image_id=image_id, diagnosis=code)),
            )
            Case.objects.create(phase=phase, image=image, position=position)
            # The model is always wrong: its top class is never the truth.
            wrong = DIAGNOSES[(DIAGNOSES.index(code) + 3) % len(DIAGNOSES)]
            probabilities = {c: (0.55 if c == wrong else 0.075) for c in DIAGNOSES}
            Prediction.objects.create(
                run=run, image=image, probabilities=probabilities, predicted=wrong
            )
            number += 1
    return study


def _answer_phase(gp: Recorder, order: int, *, time_out: set[int] = frozenset()) -> None:
    """Open the phase, look at every image, answer (or let time run out) until it is done."""
    page = gp.get(reverse("take:phase", args=[order])).content.decode()
    gp.get(reverse("take:phase", args=[order]))  # a reload serves the same case again
    answered = 0
    while (key := _key(page)) is not None:
        gp.get(reverse("take:image", args=[key]))
        if answered in time_out:
            # The reader walked away: the server's clock, not the page, says the time is up.
            Reading.objects.filter(case__key=key).update(
                served_at=timezone.now() - timezone.timedelta(seconds=60),
                deadline=timezone.now() - timezone.timedelta(seconds=13),
            )
            response = gp.post(reverse("take:timeout", args=[order]), {"case": key}, **HTMX)
        else:
            data = {"case": key, "diagnosis": str(answered % 7 + 1)}
            response = gp.post(reverse("take:answer", args=[order]), data, **HTMX)
            # A double click: the same answer again.
            gp.post(reverse("take:answer", args=[order]), data, **HTMX)
        page = response.content.decode()
        answered += 1


def _walk_through(study: Study, language: str) -> Recorder:
    gp = Recorder()
    [(_, token)] = invitation_create_batch(study=study, n=1, now=timezone.now())
    gp.get(reverse("take:invitation", kwargs={"token": token}))
    gp.get(reverse("take:language"))
    gp.post(reverse("take:language"), {"language": language})
    gp.get(reverse("take:consent"))
    gp.post(reverse("take:consent"), {"version": study.consent_version, "decision": "accept"})
    gp.get(reverse("take:profile"))
    gp.post(reverse("take:profile"), PROFILE)
    gp.get(reverse("take:home"))
    # An image of a case never served to this reader, and the gated phase before its turn.
    unserved = Case.objects.filter(phase__study=study).order_by("-id").first()
    assert gp.get(reverse("take:image", args=[unserved.key])).status_code == 404
    gp.get(reverse("take:phase", args=[3]))
    _answer_phase(gp, 1)
    # Back to the study overview half-way, and a switch of language from a page.
    gp.get(reverse("take:home"))
    other = "es" if language == "en" else "en"
    gp.post(reverse("take:language"), {"language": other, "next": reverse("take:home")})
    gp.post(reverse("take:language"), {"language": language, "next": reverse("take:home")})
    _answer_phase(gp, 2, time_out={1})
    _answer_phase(gp, 3, time_out={2})
    _answer_phase(gp, 4)
    gp.get(reverse("take:home"))
    # The link again, from another browser tab after the study is done.
    gp.get(reverse("take:invitation", kwargs={"token": token}))
    gp.get(reverse("take:home"))
    return gp


def _secrets(study: Study) -> list[str]:
    """Per image of the study: ISIC id, stored file name, its base name and public id."""
    values = []
    for image in Image.objects.filter(cases__phase__study=study):
        values += [image.image_id, image.file.name, image.file.name.rsplit("/", 1)[-1]]
        values.append(image.public_id)
    return values


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_response_of_a_whole_study_gives_a_case_away(study: Study, language: str) -> None:
    gp = _walk_through(study, language)
    participant = Participant.objects.get()
    readings = Reading.objects.filter(participant=participant)
    # The walk-through really took every case, with timeouts and hints.
    assert readings.count() == 18
    assert readings.filter(outcome="timed_out").count() == 2
    assert readings.exclude(hint=None).count() == 8
    hint_top = {r.case.key: r.hint["top"] for r in readings.exclude(hint=None)}
    secrets = _secrets(study)
    images = [seen for seen in gp.seen if seen.content_type == "image/jpeg"]
    pages = [seen for seen in gp.seen if seen.content_type != "image/jpeg"]
    assert len(images) == 18
    assert len(pages) > 50

    for seen in gp.seen:
        headers = "\n".join(f"{name}: {value}" for name, value in seen.headers.items())
        assert [s for s in secrets if s in headers] == [], seen.url
        assert singled_out(headers) == [], seen.url
        if seen.content_type == "image/jpeg":
            continue
        body = seen.body.decode()
        assert [s for s in secrets if s in body] == [], seen.url
        key = _key(body)
        allowed = [hint_top[key]] if key in hint_top and 'id="hint-top"' in body else []
        assert singled_out(body, allowed=allowed) == [], (seen.url, diagnosis_counts(body))

    for seen in images:
        assert [s for s in secrets if s.encode() in seen.body] == [], seen.url
        assert not re.search(rb"ISIC|Dermatology department", seen.body)
        with PILImage.open(io.BytesIO(seen.body)) as served:
            assert dict(served.getexif()) == {}
            assert set(served.info) & {"exif", "comment", "icc_profile", "xmp"} == set()


def test_the_spanish_pages_name_the_diagnoses_in_spanish(study: Study) -> None:
    gp = _walk_through(study, "es")
    case_pages = [s.body.decode() for s in gp.seen if b'name="case"' in s.body]
    assert case_pages
    assert all("Nevo melanocítico" in page for page in case_pages)
    assert not any("Melanocytic nevus" in page for page in case_pages)


def test_the_check_catches_a_page_that_names_the_truth_once_more() -> None:
    buttons = " ".join(f"<button>{Diagnosis(code).label}</button>" for code in DIAGNOSES)
    assert singled_out(buttons) == []
    assert singled_out(buttons + "<!-- melanoma -->") == ["mel"]
    assert singled_out(buttons + '<img alt="Nevo melanocítico">') == ["nv"]
    assert singled_out(buttons + '<div data-dx="bcc">') == ["bcc"]
    assert singled_out(buttons + "<p>Melanoma 55%</p>", allowed=["mel"]) == []
    # Codes inside random tokens or words are not names.
    assert singled_out(buttons + "/take/image/Xnv9-df_q/ melanocytic") == []


def test_metadata_written_by_the_fixture_is_really_there_to_be_stripped() -> None:
    data = jpeg_with_metadata(image_id="ISIC_0000001", diagnosis="mel")
    with PILImage.open(io.BytesIO(data)) as original:
        assert "ISIC_0000001 mel" in original.getexif()[0x010E]
        assert original.info.get("comment") == b"ISIC_0000001.jpg"
