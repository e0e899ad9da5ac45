"""Serving an image's bytes so that nothing in the response names it.

Other apps reuse ``image_response`` behind their own opaque URLs (contests serve case images
under per-case ids). The stored files are already clean; cleaning again on the way out costs a
fraction of a millisecond and covers files written by other code paths (generated images).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.http import Http404, HttpResponse
from PIL import Image as PILImage

from lesions import jpeg
from lesions.imaging import ImageTooLarge, open_checked, pixel_problem
from lesions.models import Image


def clean_bytes(image: Image) -> bytes:
    """The image as a JPEG with no embedded metadata (EXIF, XMP, ICC, comments, thumbnails).

    An image above the pixel limit is refused (``ImageTooLarge``): a reader's browser would
    have to decode it.
    """
    problem = pixel_problem(image.width, image.height, settings.IMAGE_MAX_PIXELS)
    if problem is not None:
        raise ImageTooLarge(problem)
    with image.file.open("rb") as handle:
        data = handle.read()
    try:
        return jpeg.clean(data).data
    except jpeg.JpegError:
        # Not a JPEG we can strip losslessly (a PNG from a generator, say): re-encode the
        # pixels alone. A new image from the bare pixels, since Pillow would carry the source's
        # comment and other info over into the saved file.
        with open_checked(io.BytesIO(data), max_pixels=settings.IMAGE_MAX_PIXELS) as picture:
            rgb = picture.convert("RGB")
        pixels = PILImage.frombytes("RGB", rgb.size, rgb.tobytes())
        buffer = io.BytesIO()
        pixels.save(buffer, format="JPEG", quality=95)
        return buffer.getvalue()


def image_response(image: Image) -> HttpResponse:
    """An ``image/jpeg`` response with no file name, no dates and no shared caching."""
    try:
        data = clean_bytes(image)
    except ImageTooLarge as error:
        raise Http404(str(error)) from error
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
