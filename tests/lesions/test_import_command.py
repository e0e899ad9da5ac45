"""import_ham10000: every refusal stores nothing and names the row; re-imports change nothing."""

from __future__ import annotations

import csv
import errno
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from PIL import Image as PILImage

from lesions.models import Dataset, Image, Lesion
from tests.lesions.conftest import (
    GOOD_ROWS,
    HEADER,
    MakeSet,
    declaring_size,
    jpeg_with_metadata,
)

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ham10000", *args, "--dataset", "ham", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored_files() -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def with_row(index: int, column: int, value: str) -> list[list[str]]:
    rows = [list(r) for r in GOOD_ROWS]
    rows[index][column] = value
    return rows


REFUSALS = {
    "unknown diagnosis": (with_row(2, 2, "melanoma"), {}, 4, "unknown diagnosis 'melanoma'"),
    "duplicate image_id": (
        [*GOOD_ROWS, ["HAM_0000009", "ISIC_0000003", "mel", "histo", "50", "male", "back"]],
        {},
        7,
        "duplicate image_id (first on row 4)",
    ),
    "lesion with two diagnoses": (
        with_row(1, 2, "mel"),
        {},
        3,
        "lesion HAM_0000001 has two diagnoses: mel here, nv on row 2",
    ),
    "age above 120": (with_row(3, 4, "130"), {}, 5, "age '130' is not a number in 0-120"),
    "negative age": (with_row(3, 4, "-1"), {}, 5, "age '-1' is not a number in 0-120"),
    "age not a number": (with_row(3, 4, "old"), {}, 5, "age 'old' is not a number in 0-120"),
    "unknown sex": (with_row(0, 5, "f"), {}, 2, "unknown sex 'f'"),
    "unknown site": (with_row(4, 6, "elbow"), {}, 6, "unknown localization 'elbow'"),
    "unknown dx_type": (with_row(4, 3, "biopsy"), {}, 6, "unknown dx_type 'biopsy'"),
    "a path for an image id": (with_row(4, 1, "../etc/passwd"), {}, 6, "invalid image_id"),
    "missing fields": ([*GOOD_ROWS, ["HAM_0000009", "ISIC_0000009"]], {}, 7, "found 2"),
    "unreadable image": (
        GOOD_ROWS,
        {"ISIC_0000004": b"this is not a jpeg"},
        5,
        "image ISIC_0000004.jpg is unreadable: not a JPEG file",
    ),
    "decompression bomb": (
        GOOD_ROWS,
        {"ISIC_0000004": declaring_size(jpeg_with_metadata(), 20000, 20000)},
        5,
        "image is 20000x20000 (400.0 megapixels), above the limit of 50 megapixels",
    ),
    "truncated image": (
        GOOD_ROWS,
        {"ISIC_0000004": jpeg_with_metadata()[:4000]},
        5,
        "ISIC_0000004.jpg is unreadable: truncated",
    ),
}


@pytest.mark.parametrize("kind", REFUSALS)
def test_each_bad_row_refuses_the_whole_import_and_names_the_row(
    make_set: MakeSet, kind: str
) -> None:
    rows, files, row_number, reason = REFUSALS[kind]
    image_set = make_set(rows, files=files)
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_ham10000", *image_set.args(), "--dataset", "ham", stderr=err)
    assert refused.value.returncode == 1
    assert "nothing was stored" in str(refused.value)
    lines = [line for line in err.getvalue().splitlines() if "error" in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"row {row_number} ")
    assert reason in lines[0]
    assert Dataset.objects.count() == Lesion.objects.count() == Image.objects.count() == 0
    assert stored_files() == []


def test_a_missing_image_file_refuses_the_import(make_set: MakeSet) -> None:
    image_set = make_set(skip_files=("ISIC_0000005",))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ham10000", *image_set.args(), stderr=err)
    assert "row 6 ISIC_0000005: error: image file ISIC_0000005.jpg not found" in err.getvalue()
    assert Image.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (HEADER[:6], "missing column(s) localization"),
        (["image_id", "lesion_id", "dx", "dx_type", "age", "sex", "localization"], "wrong order"),
        ([*HEADER, "notes"], "unexpected column(s) notes"),
    ],
)
def test_wrong_columns_refuse_the_import(
    make_set: MakeSet, header: list[str], message: str
) -> None:
    rows = [row[: len(header)] + [""] * max(0, len(header) - len(row)) for row in GOOD_ROWS]
    image_set = make_set(rows, header=header)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ham10000", *image_set.args(), stderr=err)
    assert err.getvalue().startswith("row 1: error:")
    assert message in err.getvalue()
    assert Image.objects.count() == 0


def test_it_imports_a_clean_set_with_clinical_data_and_stripped_files(make_set: MakeSet) -> None:
    out, err = run(*make_set().args())
    assert "5 images stored, 0 unchanged, 0 rows skipped" in out
    assert err == ""
    mel = Image.objects.get(image_id="ISIC_0000003")
    assert (mel.lesion.diagnosis, mel.age, mel.sex, mel.localization, mel.dx_type) == (
        "mel", 70.0, "male", "face", "histo"
    )  # fmt: skip
    missing = Image.objects.get(image_id="ISIC_0000004")
    assert (missing.age, missing.sex, missing.localization) == (None, "unknown", "unknown")
    assert Lesion.objects.get(lesion_id="HAM_0000001").images.count() == 2
    assert (mel.width, mel.height) == (600, 450)
    data = mel.file.read()
    assert mel.public_id in mel.file.name
    assert "ISIC" not in mel.file.name
    for secret in (b"SecretCam", b"Private", b"ISIC_", b"Exif", b"ICC-PROFILE"):
        assert secret not in data
    assert PILImage.open(io.BytesIO(data)).size == (600, 450)
    assert Dataset.objects.get(name="ham").credit.startswith("Tschandl P")


def test_it_takes_the_eight_column_layout(make_set: MakeSet) -> None:
    rows = [[*row, "vidir_modern"] for row in GOOD_ROWS]
    run(*make_set(rows, header=[*HEADER, "dataset"]).args())
    assert set(Image.objects.values_list("source_dataset", flat=True)) == {"vidir_modern"}


def test_an_image_of_another_size_is_stored_with_a_warning(make_set: MakeSet) -> None:
    small = jpeg_with_metadata(size=(300, 225))
    out, _ = run(*make_set(files={"ISIC_0000002": small}).args())
    assert "row 3 ISIC_0000002: warning: image is 300x225, not 600x450" in out
    assert "5 images stored" in out
    assert Image.objects.get(image_id="ISIC_0000002").width == 300


def test_skip_invalid_stores_the_valid_rows_and_writes_the_report(
    make_set: MakeSet, tmp_path: Path
) -> None:
    rows = with_row(2, 2, "melanoma")
    report = tmp_path / "report.csv"
    out, err = run(*make_set(rows).args("--skip-invalid", "--report", str(report)))
    assert "4 images stored, 0 unchanged, 1 rows skipped" in out
    assert "row 4 ISIC_0000003: error: unknown diagnosis" in err
    assert not Image.objects.filter(image_id="ISIC_0000003").exists()
    assert Image.objects.count() == 4
    with report.open(newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["row", "image_id", "kind", "reason"]
    assert lines[1][:3] == ["4", "ISIC_0000003", "error"]
    assert lines[1][3].startswith("unknown diagnosis 'melanoma'")


def test_importing_the_same_files_twice_changes_nothing(make_set: MakeSet) -> None:
    image_set = make_set()
    run(*image_set.args())
    before = list(Image.objects.values_list("pk", "public_id", "sha256", "file"))
    files = stored_files()
    out, _ = run(*image_set.args())
    assert "0 images stored, 5 unchanged" in out
    assert list(Image.objects.values_list("pk", "public_id", "sha256", "file")) == before
    assert stored_files() == files


def test_a_changed_row_is_reported_and_not_overwritten(make_set: MakeSet) -> None:
    run(*make_set().args())
    changed = with_row(2, 4, "71.0")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ham10000", *make_set(changed).args(), "--dataset", "ham", stderr=err)
    assert "row 4 ISIC_0000003: error: changed since it was imported" in err.getvalue()
    assert "age 70.0 -> 71.0" in err.getvalue()
    assert Image.objects.get(image_id="ISIC_0000003").age == 70.0


def test_a_changed_image_file_is_reported_and_new_rows_still_import_with_skip_invalid(
    make_set: MakeSet,
) -> None:
    run(*make_set().args())
    rows = [*GOOD_ROWS, ["HAM_0000005", "ISIC_0000006", "df", "histo", "30", "female", "back"]]
    other = jpeg_with_metadata(colour=10)
    out, err = run(*make_set(rows, files={"ISIC_0000001": other}).args("--skip-invalid"))
    assert "row 2 ISIC_0000001: error: changed since it was imported" in err
    assert "sha256" in err
    assert "1 images stored, 4 unchanged, 1 rows skipped" in out
    assert Image.objects.count() == 6


def test_a_new_image_of_a_stored_lesion_with_another_diagnosis_is_refused(
    make_set: MakeSet,
) -> None:
    run(*make_set().args())
    rows = [["HAM_0000002", "ISIC_0000007", "nv", "histo", "70", "male", "face"]]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ham10000", *make_set(rows).args(), "--dataset", "ham", stderr=err)
    assert (
        "row 2 ISIC_0000007: error: lesion HAM_0000002 has two diagnoses: nv here, "
        "mel already stored"
    ) in err.getvalue()
    assert not Image.objects.filter(image_id="ISIC_0000007").exists()


def test_a_missing_image_folder_refuses_the_import(make_set: MakeSet, tmp_path: Path) -> None:
    image_set = make_set()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_ham10000",
            "--metadata", str(image_set.metadata),
            "--images", str(image_set.folders[0]), str(tmp_path / "nowhere"),
            stderr=err,
        )  # fmt: skip
    assert "image folders: error: image folder not found" in err.getvalue()
    assert Image.objects.count() == 0


def test_skip_invalid_leaves_out_an_image_above_the_pixel_limit(make_set: MakeSet) -> None:
    bomb = declaring_size(jpeg_with_metadata(), 20000, 20000)
    image_set = make_set(files={"ISIC_0000004": bomb})
    out, err = run(*image_set.args("--skip-invalid"))
    assert "4 images stored" in out
    assert "row 5 ISIC_0000004: error: image is 20000x20000" in err
    assert not Image.objects.filter(image_id="ISIC_0000004").exists()


def test_the_pixel_limit_can_be_set_per_import(make_set: MakeSet) -> None:
    # 600x450 is 0.27 megapixels: a limit of 0.2 refuses every image, and says which.
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ham10000", *make_set().args("--max-megapixels", "0.2"), stderr=err)
    assert err.getvalue().count("above the limit of 0.2 megapixels") == 5
    assert Image.objects.count() == 0


def test_a_media_store_that_cannot_be_written_gives_one_line_and_stores_nothing(
    make_set: MakeSet, settings: Any, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"
    with pytest.raises(CommandError) as refused:
        run(*make_set().args())
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("cannot write ")
    assert "nothing was stored" in message
    assert Dataset.objects.count() == Lesion.objects.count() == Image.objects.count() == 0


def test_a_full_disk_names_the_file_and_the_cause(
    make_set: MakeSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files.storage import default_storage

    def full(name: str, content: Any, max_length: int | None = None) -> str:
        raise OSError(errno.ENOSPC, "No space left on device", name)

    monkeypatch.setattr(default_storage, "save", full)
    with pytest.raises(CommandError, match="No space left on device"):
        run(*make_set().args())
    assert Image.objects.count() == 0
    assert stored_files() == []
