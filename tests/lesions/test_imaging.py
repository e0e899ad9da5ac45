"""Every decode checks the pixel limit first, from the header, before any pixel is decoded."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from classifier.data import build_cache, decode
from lesions.imaging import ImageTooLarge, open_checked, pixel_problem
from tests.lesions.conftest import declaring_size, jpeg_with_metadata

BOMB = declaring_size(jpeg_with_metadata(), 20000, 20000)


def test_a_size_within_the_limit_is_no_problem() -> None:
    assert pixel_problem(600, 450) is None
    assert pixel_problem(7071, 7071, max_pixels=50_000_000) is None


def test_a_size_above_the_limit_is_named_with_the_limit() -> None:
    problem = pixel_problem(20000, 20000)
    assert problem == (
        "image is 20000x20000 (400.0 megapixels), above the limit of 50 megapixels "
        "(IMAGE_MAX_PIXELS)"
    )


def test_open_checked_refuses_a_bomb_from_its_header() -> None:
    with pytest.raises(ImageTooLarge, match=r"400\.0 megapixels"), open_checked(io.BytesIO(BOMB)):
        pass


def test_open_checked_gives_an_ordinary_image() -> None:
    with open_checked(io.BytesIO(jpeg_with_metadata())) as image:
        assert image.size == (600, 450)


def test_decoding_for_training_refuses_a_bomb() -> None:
    with pytest.raises(ImageTooLarge):
        decode(io.BytesIO(BOMB), (96, 72))
    assert decode(io.BytesIO(jpeg_with_metadata()), (96, 72)).shape == (72, 96, 3)


def test_the_image_cache_refuses_a_bomb_and_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    good, bomb = folder / "good.jpg", folder / "bomb.jpg"
    good.write_bytes(jpeg_with_metadata())
    bomb.write_bytes(BOMB)
    with pytest.raises(ImageTooLarge, match="bomb-key"):
        build_cache(
            root=tmp_path, name="s", size=(32, 24), items=[("good", good), ("bomb-key", bomb)]
        )
    cache = build_cache(root=tmp_path, name="s", size=(32, 24), items=[("good", good)])
    assert np.asarray(cache.array).shape == (1, 24, 32, 3)


def test_open_checked_refuses_below_pillows_own_limit() -> None:
    # 60 megapixels: Pillow only warns there; the platform's limit (50) refuses it.
    big = declaring_size(jpeg_with_metadata(), 10000, 6000)
    with pytest.raises(ImageTooLarge, match="10000x6000"), open_checked(io.BytesIO(big)):
        pass


@pytest.mark.django_db
def test_an_image_above_the_limit_is_never_served() -> None:
    from django.http import Http404

    from lesions.serving import image_response
    from tests.lesions.factories import ImageFactory

    fine = ImageFactory.create()
    assert image_response(fine).status_code == 200
    huge = ImageFactory.create(width=20000, height=20000)
    with pytest.raises(Http404):
        image_response(huge)
