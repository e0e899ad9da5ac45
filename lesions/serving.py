"""Serving an image's bytes so that nothing in the response names it.

Other apps reuse ``image_response`` behind their own opaque URLs (contests serve case images
under per-case ids). The stored files are already clean; cleaning again on the way out costs a
fraction of a millisecond and covers files written by other code paths (generated images).
"""

from __future__ import annotations

import io

from django.http import HttpResponse
from PIL import Image as PILImage

from lesions import jpeg
from lesions.models import Image


def clean_bytes(image: Image) -> bytes:
    """The image as a JPEG with no embedded metadata (EXIF, XMP, ICC, comments, thumbnails)."""
    with image.file.open("rb") as handle:
        data = handle.read()
    try:
        return jpeg.clean(data).data
    except jpeg.JpegError:
        # Not a JPEG we can strip losslessly (a PNG from a generator, say): re-encode the
        # pixels alone. A new image from the bare pixels, since Pillow would carry the source's
        # comment and other info over into the saved file.
        with PILImage.open(io.BytesIO(data)) as picture:
            rgb = picture.convert("RGB")
        pixels = PILImage.frombytes("RGB", rgb.size, rgb.tobytes())
        buffer = io.BytesIO()
        pixels.save(buffer, format="JPEG", quality=95)
        return buffer.getvalue()


def image_response(image: Image, *, cache_control: str = "private, max-age=3600") -> HttpResponse:
    """An ``image/jpeg`` response with no file name, no dates and no shared caching.

    ``cache_control="no-store"`` where the image may be shown only for a while (a timed case):
    a browser that kept it could show it again after its deadline."""
    response = HttpResponse(clean_bytes(image), content_type="image/jpeg")
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
