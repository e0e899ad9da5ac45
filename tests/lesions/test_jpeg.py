"""Metadata stripping is lossless and leaves nothing but the picture."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lesions import jpeg
from tests.lesions.conftest import jpeg_with_metadata


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.mark.parametrize("progressive", [False, True])
def test_it_drops_exif_icc_comments_and_trailing_bytes_and_keeps_every_pixel(
    progressive: bool,
) -> None:
    picture = Image.open(io.BytesIO(jpeg_with_metadata(size=(64, 48))))
    buffer = io.BytesIO()
    picture.save(
        buffer,
        format="JPEG",
        progressive=progressive,
        exif=picture.info["exif"],
        comment=b"ISIC_0000001",
        icc_profile=b"ICC-PROFILE" * 10,
    )
    original = buffer.getvalue() + b"ISIC_0000001 trailing"
    cleaned = jpeg.clean(original)
    assert (cleaned.width, cleaned.height) == (64, 48)
    for secret in (b"Exif", b"SecretCam", b"ISIC", b"ICC-PROFILE", b"trailing"):
        assert secret in original
        assert secret not in cleaned.data
    assert np.array_equal(pixels(cleaned.data), pixels(original))
    assert set(Image.open(io.BytesIO(cleaned.data)).info) <= {
        "jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression",
    }  # fmt: skip


def test_cleaning_twice_changes_nothing() -> None:
    once = jpeg.clean(jpeg_with_metadata()).data
    assert jpeg.clean(once).data == once


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n", "not a JPEG"),
        (jpeg_with_metadata()[:3000], "truncated"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "runs past the end"),
    ],
)
def test_broken_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(jpeg.JpegError, match=message):
        jpeg.clean(data)
