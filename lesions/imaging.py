"""Opening images with a pixel limit, the same everywhere (plain module, no Django).

A JPEG of a few megabytes can declare 20000x20000 pixels: decoding it takes gigabytes. Every
place that decodes catalogue or uploaded images opens them here, which reads the size from the
header first and refuses anything above the limit before a single pixel is decoded. Pillow's
own guard (``DecompressionBombError``) only fires at twice its limit and only as a warning
below, so it is not enough on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from PIL import Image as PILImage

# 50 megapixels: 80 times the 600x450 HAM10000 images, far above any dermoscope's output.
DEFAULT_MAX_PIXELS = 50_000_000


class ImageTooLarge(ValueError):
    """An image declares more pixels than the limit allows."""


def pixel_problem(width: int, height: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> str | None:
    """Why an image of this size is refused, in words; None when it is within the limit."""
    pixels = width * height
    if pixels <= max_pixels:
        return None
    return (
        f"image is {width}x{height} ({pixels / 1e6:.1f} megapixels), above the limit of "
        f"{max_pixels / 1e6:g} megapixels (IMAGE_MAX_PIXELS)"
    )


@contextmanager
def open_checked(
    source: str | Path | IO[bytes], *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Iterator[PILImage.Image]:
    """``PIL.Image.open`` that refuses, with ``ImageTooLarge``, an image above ``max_pixels``.

    Opening reads only the header; nothing is decoded until the caller asks for pixels.
    """
    try:
        opened = PILImage.open(source)
    except PILImage.DecompressionBombError as error:
        # Pillow refuses above twice its own limit while opening, before we see the size.
        declared = re.search(r"\((\d+) pixels\)", str(error))
        pixels = f"{int(declared.group(1)) / 1e6:.1f} megapixels" if declared else "too many pixels"
        raise ImageTooLarge(
            f"image declares {pixels}, above the limit of {max_pixels / 1e6:g} megapixels "
            "(IMAGE_MAX_PIXELS)"
        ) from error
    with opened as image:
        problem = pixel_problem(image.width, image.height, max_pixels)
        if problem is not None:
            raise ImageTooLarge(problem)
        yield image
