"""An image set in the HAM10000 layout, written to a temporary folder, for the importer's tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

HEADER = ["lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization"]
GOOD_ROWS = [
    ["HAM_0000001", "ISIC_0000001", "nv", "follow_up", "45.0", "female", "back"],
    ["HAM_0000001", "ISIC_0000002", "nv", "follow_up", "45.0", "female", "back"],
    ["HAM_0000002", "ISIC_0000003", "mel", "histo", "70.0", "male", "face"],
    ["HAM_0000003", "ISIC_0000004", "bkl", "consensus", "", "unknown", "unknown"],
    ["HAM_0000004", "ISIC_0000005", "bcc", "histo", "80.0", "male", "neck"],
]


def jpeg_with_metadata(size: tuple[int, int] = (600, 450), colour: int = 120) -> bytes:
    """A JPEG carrying EXIF (camera, owner, description), an ICC profile and a comment."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x013B] = "Dr Private Person"  # Artist
    exif[0x010E] = "ISIC_0000001 melanoma"  # ImageDescription
    picture = Image.new("RGB", size, (colour, 90, 70))
    for x in range(0, size[0], 7):
        picture.putpixel((x, x % size[1]), (10, 200, 30))
    buffer = io.BytesIO()
    picture.save(
        buffer,
        format="JPEG",
        quality=90,
        exif=exif.tobytes(),
        icc_profile=b"ICC-PROFILE-OF-SecretCam" * 4,
        comment=b"patient file ISIC_0000001",
    )
    return buffer.getvalue()


@dataclass
class ImageSet:
    root: Path
    metadata: Path
    folders: list[Path]

    def args(self, *extra: str) -> list[str]:
        return [
            "--metadata", str(self.metadata),
            "--images", *map(str, self.folders),
            *extra,
        ]  # fmt: skip


MakeSet = Callable[..., ImageSet]


@pytest.fixture
def make_set(tmp_path: Path) -> MakeSet:
    """Write metadata rows and one JPEG per row (unless told otherwise) into two part folders."""
    counter = iter(range(1000))

    def make(
        rows: list[list[str]] | None = None,
        *,
        header: list[str] | None = None,
        files: dict[str, bytes] | None = None,
        skip_files: tuple[str, ...] = (),
    ) -> ImageSet:
        root = tmp_path / f"set{next(counter)}"
        folders = [root / "HAM10000_images_part_1", root / "HAM10000_images_part_2"]
        for folder in folders:
            folder.mkdir(parents=True)
        rows = GOOD_ROWS if rows is None else rows
        metadata = root / "HAM10000_metadata.csv"
        with metadata.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header or HEADER)
            writer.writerows(rows)
        files = files or {}
        for i, row in enumerate(rows):
            image_id = row[1] if len(row) > 1 else ""
            if not image_id or image_id in skip_files or "/" in image_id:
                continue
            data = files.get(image_id) or jpeg_with_metadata(colour=100 + i)
            (folders[i % 2] / f"{image_id}.jpg").write_bytes(data)
        return ImageSet(root=root, metadata=metadata, folders=folders)

    return make


def declaring_size(data: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header rewritten to declare another size (a decompression bomb
    costs nothing to make this way: the pixels are never there)."""
    sof = next(
        i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC1, 0xC2)
    )
    header = bytearray(data)
    header[sof + 5 : sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(header)
