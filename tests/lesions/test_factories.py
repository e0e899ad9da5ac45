from __future__ import annotations

import pytest
from PIL import Image as PILImage

from tests.lesions.factories import ImageFactory

pytestmark = pytest.mark.django_db


def test_an_image_is_stored_under_its_public_id_not_its_isic_id() -> None:
    image = ImageFactory(image_id="ISIC_0024306", lesion__diagnosis="mel")
    assert image.public_id in image.file.name
    assert "ISIC" not in image.file.name
    assert "mel" not in image.file.name.split("/")[-1]
    with image.file.open("rb") as handle:
        assert PILImage.open(handle).size == (60, 45)
