"""Lossless removal of embedded metadata from JPEG files, reading only the marker structure.

A JPEG is a chain of marker segments; the picture is in the quantisation and Huffman tables,
the frame header and the entropy-coded scans. Everything else is metadata: EXIF, XMP, ICC and
maker notes live in APP1-APP15 segments, free text in COM segments, and anything may trail the
end-of-image marker. We copy the picture's segments byte for byte and drop the rest, so pixels
are unchanged (no re-encoding, no generation loss) and it costs one pass over the bytes.

Kept: JFIF APP0 (its thumbnail removed) and Adobe APP14, whose colour-transform flag tells the
decoder how to read the components: dropping it could change the colours of some files. Neither
names a person, a camera or a file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
APP0, APP14, COM = 0xE0, 0xEE, 0xFE
# Frame headers (baseline, progressive, lossless, arithmetic); C4, C8 and CC are not frames.
SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


class JpegError(ValueError):
    """The bytes are not a JPEG this module can read."""


@dataclass(frozen=True)
class CleanJpeg:
    data: bytes
    width: int
    height: int


def _scan_end(data: bytes, start: int) -> int:
    """Index of the first marker after entropy-coded data starting at ``start``.

    Inside a scan 0xFF is followed by 0x00 (a stuffed byte) or a restart marker D0-D7; any
    other byte after 0xFF begins a real marker. Fill bytes (0xFF 0xFF) precede a marker.
    """
    pos = start
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise JpegError("truncated: the image data has no end-of-image marker")
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
        elif following == 0xFF:
            pos += 1
        else:
            return pos


def _jfif_without_thumbnail(payload: bytes) -> bytes:
    # JFIF APP0: "JFIF\0", version (2), units (1), densities (4), thumbnail w, h (1 each), pixels.
    return payload[:12] + b"\x00\x00"


def clean(data: bytes) -> CleanJpeg:
    """The JPEG with every metadata segment removed, and its size read from the frame header."""
    if len(data) < 4 or data[0] != 0xFF or data[1] != SOI:
        raise JpegError("not a JPEG file (no start-of-image marker)")
    out = [b"\xff\xd8"]
    width = height = 0
    pos = 2
    while True:
        if pos >= len(data):
            raise JpegError("truncated: no end-of-image marker")
        if data[pos] != 0xFF:
            raise JpegError(f"corrupt marker structure at byte {pos}")
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= len(data):
            raise JpegError("truncated: no end-of-image marker")
        marker = data[pos]
        pos += 1
        if marker == EOI:
            out.append(b"\xff\xd9")
            break  # whatever trails the image is dropped
        if marker in STANDALONE:
            out.append(bytes((0xFF, marker)))
            continue
        if pos + 2 > len(data):
            raise JpegError("truncated segment header")
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        end = pos + length
        if length < 2 or end > len(data):
            raise JpegError(f"segment at byte {pos} runs past the end of the file")
        payload = data[pos + 2 : end]
        if marker in SOF_MARKERS:
            if len(payload) < 5:
                raise JpegError("frame header too short")
            height, width = struct.unpack(">HH", payload[1:5])
        keep = True
        if marker == APP0:
            if payload.startswith(b"JFIF\x00") and len(payload) >= 14:
                payload = _jfif_without_thumbnail(payload)
            else:
                keep = False  # JFXX extension: only ever a thumbnail
        elif APP0 < marker <= 0xEF:
            keep = marker == APP14 and payload.startswith(b"Adobe")
        elif marker == COM:
            keep = False
        if keep:
            out.append(bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload)
        pos = end
        if marker == SOS:
            scan_end = _scan_end(data, pos)
            out.append(data[pos:scan_end])
            pos = scan_end
    if width == 0 or height == 0:
        raise JpegError("no frame header with the image size")
    return CleanJpeg(data=b"".join(out), width=width, height=height)
