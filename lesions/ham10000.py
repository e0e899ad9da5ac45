"""Reading and checking a HAM10000-layout image set: metadata CSV plus image folders.

Plain module (no Django). ``check_image_set`` returns every row that passed and every problem
found, each naming its row: the line of the CSV file, the header being row 1, as a spreadsheet
numbers it. Images are read once, in a thread pool (hashing releases the GIL), and only their
marker structure is parsed: no pixel is decoded.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from lesions import jpeg
from lesions.codes import DIAGNOSES, DX_TYPES, FULL_SIZE, LOCALIZATIONS, SEXES
from lesions.imaging import DEFAULT_MAX_PIXELS, pixel_problem

COLUMNS: tuple[str, ...] = ("lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization")
OPTIONAL_COLUMN = "dataset"
# Ids become file names looked up on disk: nothing that could climb out of a folder.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".JPG", ".JPEG")

T = TypeVar("T")
Progress = Callable[[Iterable[T], int, str], Iterable[T]]


@dataclass(frozen=True)
class Problem:
    row: int
    image_id: str
    reason: str
    is_error: bool = True

    def __str__(self) -> str:
        kind = "error" if self.is_error else "warning"
        where = f"row {self.row}" if self.row else "image folders"
        name = f" {self.image_id}" if self.image_id else ""
        return f"{where}{name}: {kind}: {self.reason}"


@dataclass(frozen=True)
class Record:
    """One row that passed every check, with what its image file told us."""

    row: int
    lesion_id: str
    image_id: str
    dx: str
    dx_type: str
    age: float | None
    sex: str
    localization: str
    source_dataset: str
    path: Path
    width: int
    height: int
    sha256: str  # of the cleaned bytes: what is stored and served


class ProblemReport:
    """Errors and warnings of a report that holds its ``problems``."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


@dataclass
class CheckResult(ProblemReport):
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0


@dataclass(frozen=True)
class _Row:
    row: int
    values: dict[str, str]


def parse_age(text: str) -> float | None:
    """Missing (empty or NaN) is None; anything else must be a number in 0-120."""
    if text.strip() == "" or text.strip().lower() == "nan":
        return None
    age = float(text)  # ValueError names the text
    if math.isnan(age) or not 0 <= age <= 120:
        raise ValueError(f"age {text!r} is outside 0-120")
    return age


def _check_header(header: list[str]) -> str | None:
    if list(header[: len(COLUMNS)]) != list(COLUMNS):
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            return f"missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"
        return f"columns in the wrong order: {','.join(header)}; expected {','.join(COLUMNS)}"
    extra = header[len(COLUMNS) :]
    if extra and extra != [OPTIONAL_COLUMN]:
        return f"unexpected column(s) {', '.join(extra)}: only an eighth, 'dataset', is allowed"
    return None


def _check_row(row: _Row) -> tuple[str | None, float | None]:
    v = row.values
    if not ID_PATTERN.match(v["image_id"]):
        return f"invalid image_id {v['image_id']!r}", None
    if not ID_PATTERN.match(v["lesion_id"]):
        return f"invalid lesion_id {v['lesion_id']!r}", None
    if v["dx"] not in DIAGNOSES:
        return f"unknown diagnosis {v['dx']!r} (expected one of {', '.join(DIAGNOSES)})", None
    if v["dx_type"] not in DX_TYPES:
        return f"unknown dx_type {v['dx_type']!r} (expected one of {', '.join(DX_TYPES)})", None
    try:
        age = parse_age(v["age"])
    except ValueError:
        return f"age {v['age']!r} is not a number in 0-120", None
    if v["sex"] not in SEXES:
        return f"unknown sex {v['sex']!r} (expected one of {', '.join(SEXES)})", None
    if v["localization"] not in LOCALIZATIONS:
        return f"unknown localization {v['localization']!r}", None
    return None, age


def read_rows(metadata: Path, result: CheckResult) -> list[_Row]:
    """Rows with the right number of fields; header and field-count problems go to ``result``."""
    try:
        with metadata.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        result.problems.append(Problem(1, "", f"cannot read the metadata file: {error}"))
        return []
    if not lines:
        result.problems.append(Problem(1, "", "the metadata file is empty"))
        return []
    header = [c.strip() for c in lines[0]]
    if (message := _check_header(header)) is not None:
        result.problems.append(Problem(1, "", message))
        return []
    rows: list[_Row] = []
    for number, fields_ in enumerate(lines[1:], start=2):
        if not any(f.strip() for f in fields_):
            continue  # blank line
        result.rows += 1
        if len(fields_) != len(header):
            image_id = fields_[1].strip() if len(fields_) > 1 else ""
            reason = f"expected {len(header)} fields, found {len(fields_)}"
            result.problems.append(Problem(number, image_id, reason))
            continue
        rows.append(_Row(number, {k: f.strip() for k, f in zip(header, fields_, strict=True)}))
    return rows


def find_images(image_dirs: Iterable[Path]) -> dict[str, Path]:
    """``image_id -> path`` over the folders (the download spreads images over two parts)."""
    found: dict[str, Path] = {}
    for folder in image_dirs:
        for path in sorted(folder.iterdir()):
            if path.suffix in IMAGE_SUFFIXES and path.is_file():
                found.setdefault(path.stem, path)
    return found


@dataclass(frozen=True)
class _FileInfo:
    width: int = 0
    height: int = 0
    sha256: str = ""
    error: str = ""


def read_clean(path: Path) -> jpeg.CleanJpeg:
    return jpeg.clean(path.read_bytes())


def _inspect(path: Path) -> _FileInfo:
    try:
        cleaned = read_clean(path)
    except OSError as error:
        return _FileInfo(error=f"image {path.name} cannot be read: {error.strerror or error}")
    except jpeg.JpegError as error:
        return _FileInfo(error=f"image {path.name} is unreadable: {error}")
    digest = hashlib.sha256(cleaned.data).hexdigest()
    return _FileInfo(width=cleaned.width, height=cleaned.height, sha256=digest)


def _identity(items: Iterable[T], total: int, label: str) -> Iterable[T]:
    return items


def inspect_files(
    paths: list[Path], *, threads: int = 4, progress: Progress | None = None
) -> Iterator[_FileInfo]:
    bar: Progress = progress or _identity
    with ThreadPoolExecutor(max_workers=threads) as pool:
        yield from bar(pool.map(_inspect, paths), len(paths), "checking images")


def check_image_set(
    metadata: Path,
    image_dirs: list[Path],
    *,
    threads: int = 4,
    progress: Progress | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> CheckResult:
    """Every problem of the set, and the rows free of errors (with warnings they still pass).

    An image declaring more than ``max_pixels`` pixels is an error: decoding it (for training,
    or in a reader's browser) would take gigabytes.
    """
    result = CheckResult()
    rows = read_rows(metadata, result)
    for folder in image_dirs:
        if not folder.is_dir():
            result.problems.append(Problem(0, "", f"image folder not found: {folder}"))
    if result.errors:
        return result
    images = find_images(image_dirs)
    seen_image: dict[str, int] = {}
    lesion_dx: dict[str, tuple[str, int]] = {}
    candidates: list[tuple[_Row, float | None, Path]] = []
    for row in rows:
        v = row.values
        reason, age = _check_row(row)
        if reason is None and v["image_id"] in seen_image:
            reason = f"duplicate image_id (first on row {seen_image[v['image_id']]})"
        if reason is None and v["lesion_id"] in lesion_dx:
            first_dx, first_row = lesion_dx[v["lesion_id"]]
            if first_dx != v["dx"]:
                reason = (
                    f"lesion {v['lesion_id']} has two diagnoses: {v['dx']} here, "
                    f"{first_dx} on row {first_row}"
                )
        if reason is None and v["image_id"] not in images:
            reason = f"image file {v['image_id']}.jpg not found in the image folders"
        if reason is not None:
            result.problems.append(Problem(row.row, v.get("image_id", ""), reason))
            continue
        seen_image[v["image_id"]] = row.row
        lesion_dx.setdefault(v["lesion_id"], (v["dx"], row.row))
        candidates.append((row, age, images[v["image_id"]]))

    infos = inspect_files([c[2] for c in candidates], threads=threads, progress=progress)
    for (row, age, path), info in zip(candidates, infos, strict=True):
        v = row.values
        if info.error:
            result.problems.append(Problem(row.row, v["image_id"], info.error))
            continue
        too_large = pixel_problem(info.width, info.height, max_pixels)
        if too_large is not None:
            result.problems.append(Problem(row.row, v["image_id"], too_large))
            continue
        if (info.width, info.height) != FULL_SIZE:
            reason = f"image is {info.width}x{info.height}, not {FULL_SIZE[0]}x{FULL_SIZE[1]}"
            result.problems.append(Problem(row.row, v["image_id"], reason, is_error=False))
        result.records.append(
            Record(
                row=row.row,
                lesion_id=v["lesion_id"],
                image_id=v["image_id"],
                dx=v["dx"],
                dx_type=v["dx_type"],
                age=age,
                sex=v["sex"],
                localization=v["localization"],
                source_dataset=v.get(OPTIONAL_COLUMN, ""),
                path=path,
                width=info.width,
                height=info.height,
                sha256=info.sha256,
            )
        )
    result.problems.sort(key=lambda p: p.row)
    return result
