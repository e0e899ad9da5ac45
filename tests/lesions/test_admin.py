"""The catalogue's admin: lists with filters, search and thumbnails."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.lesions.factories import ImageFactory

pytestmark = pytest.mark.django_db


def test_the_image_list_filters_searches_and_shows_thumbnails(admin_client: Client) -> None:
    mel = ImageFactory(image_id="ISIC_0000042", lesion__diagnosis="mel", localization="face")
    ImageFactory(image_id="ISIC_0000043", lesion__diagnosis="nv")
    url = reverse("admin:lesions_image_changelist")
    page = admin_client.get(url, {"lesion__diagnosis": "mel"}).content.decode()
    assert "ISIC_0000042" in page
    assert "ISIC_0000043" not in page
    assert reverse("lesions:image", args=[mel.public_id]) in page
    found = admin_client.get(url, {"q": "0000043"}).content.decode()
    assert "ISIC_0000043" in found
    assert "ISIC_0000042" not in found
    change = admin_client.get(reverse("admin:lesions_image_change", args=[mel.pk]))
    assert change.status_code == 200


@pytest.mark.parametrize("model", ["dataset", "lesion"])
def test_the_other_lists_open(admin_client: Client, model: str) -> None:
    ImageFactory()
    assert admin_client.get(reverse(f"admin:lesions_{model}_changelist")).status_code == 200
