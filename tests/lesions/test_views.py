"""Researcher pages, image bytes and the API: closed to others, and images name nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage

from lesions.models import Image
from lesions.serving import clean_bytes
from tests.lesions.conftest import jpeg_with_metadata
from tests.lesions.factories import DatasetFactory, ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def image_with_exif() -> Image:
    """An image stored with its EXIF, as another code path might have written it."""
    return ImageFactory(
        image_id="ISIC_0000001",
        lesion__diagnosis="mel",
        file=ContentFile(jpeg_with_metadata(), name="ISIC_0000001.jpg"),
        width=600,
        height=450,
    )


@pytest.fixture
def other_user_client(django_user_model: Any) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_user("gp", password="pw-not-used-12"))
    return client


def test_served_bytes_carry_no_metadata_and_the_headers_name_nothing(
    researcher_client: Client, image_with_exif: Image
) -> None:
    response = researcher_client.get(reverse("lesions:image", args=[image_with_exif.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert "Content-Disposition" not in response
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    assert "ISIC" not in headers
    assert "mel" not in headers
    body = response.content
    for secret in (b"Exif", b"SecretCam", b"Private", b"ISIC", b"ICC-PROFILE", b"melanoma"):
        assert secret not in body
    assert PILImage.open(io.BytesIO(body)).size == (600, 450)
    assert body == clean_bytes(image_with_exif)


def test_a_stored_png_with_text_chunks_is_served_as_a_bare_jpeg() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "ISIC_0000002 melanoma")
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (120, 80, 60)).save(buffer, format="PNG", pnginfo=info)
    image = ImageFactory(image_id="ISIC_0000002", file=ContentFile(buffer.getvalue(), name="x.png"))
    body = clean_bytes(image)
    assert b"ISIC" not in body
    assert b"melanoma" not in body
    served = PILImage.open(io.BytesIO(body))
    assert served.format == "JPEG"
    assert served.size == (64, 48)
    assert not served.info.get("comment")


def test_an_unknown_public_id_is_not_found(researcher_client: Client) -> None:
    assert researcher_client.get(reverse("lesions:image", args=["nope"])).status_code == 404


def test_images_are_closed_to_visitors_and_non_researchers(
    client: Client, other_user_client: Client, image_with_exif: Image
) -> None:
    url = reverse("lesions:image", args=[image_with_exif.public_id])
    assert client.get(url).status_code == 302
    assert other_user_client.get(url).status_code == 403


def test_the_index_lists_data_sets_with_counts_and_filters_the_browser(
    researcher_client: Client,
) -> None:
    dataset = DatasetFactory(name="demo-set", credit="Tschandl et al. 2018, CC BY-NC 4.0")
    for dx, partition, fold in (("mel", "test", None), ("nv", "train", 0), ("nv", "train", 1)):
        ImageFactory(lesion__dataset=dataset, lesion__diagnosis=dx, partition=partition, fold=fold)
    page = researcher_client.get(reverse("lesions:index")).content.decode()
    assert "demo-set" in page
    assert "Tschandl et al. 2018, CC BY-NC 4.0" in page
    assert "3 images" in page
    assert "fold 1" in page
    only_mel = researcher_client.get(reverse("lesions:index"), {"diagnosis": "mel"})
    assert only_mel.context["page"].paginator.count == 1
    test_nv = researcher_client.get(
        reverse("lesions:index"), {"diagnosis": "nv", "partition": "train", "fold": "1"}
    )
    assert [i.fold for i in test_nv.context["page"]] == [1]


def test_the_api_lists_data_sets_and_images_with_clinical_data_and_split(
    researcher_client: Client,
) -> None:
    image = ImageFactory(lesion__diagnosis="bcc", age=61.0, partition="train", fold=2)
    datasets = researcher_client.get("/api/lesions/datasets/").json()["results"]
    assert datasets[0]["name"] == image.dataset.name
    assert datasets[0]["images"] == 1
    images = researcher_client.get("/api/lesions/images/", {"diagnosis": "bcc"}).json()
    assert images["count"] == 1
    row = images["results"][0]
    assert (row["public_id"], row["diagnosis"], row["age"], row["fold"]) == (
        image.public_id, "bcc", 61.0, 2
    )  # fmt: skip
    assert researcher_client.get("/api/lesions/images/", {"diagnosis": "nv"}).json()["count"] == 0


def test_the_api_is_closed_to_visitors_and_non_researchers(
    client: Client, other_user_client: Client
) -> None:
    for path in ("/api/lesions/datasets/", "/api/lesions/images/"):
        assert client.get(path).status_code in (401, 403)
        assert other_user_client.get(path).status_code == 403
