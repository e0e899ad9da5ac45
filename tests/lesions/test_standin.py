"""The stand-in renderer: deterministic, the right size, and the HAM10000 layout."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

from lesions import standin
from lesions.standin_set import SHIPPED_METADATA, read_rows, stratified_subset, write_standin_set

ROW = {"image_id": "ISIC_0024306", "dx": "mel", "age": "65", "sex": "male", "localization": "back"}


def test_the_same_row_and_seed_give_the_same_bytes() -> None:
    assert standin.render_jpeg(ROW, seed=3) == standin.render_jpeg(ROW, seed=3)


def test_another_seed_or_image_id_gives_another_image() -> None:
    first = np.asarray(standin.render(ROW, seed=0), dtype=np.int16)
    reseeded = np.asarray(standin.render(ROW, seed=1), dtype=np.int16)
    renamed = np.asarray(standin.render({**ROW, "image_id": "ISIC_0024307"}), dtype=np.int16)
    assert np.abs(first - reseeded).mean() > 5
    assert np.abs(first - renamed).mean() > 5


def test_images_are_600_by_450_rgb_for_every_diagnosis_and_missing_clinical_data() -> None:
    for dx in ("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"):
        picture = standin.render({"image_id": f"ISIC_{dx}", "dx": dx, "age": "", "sex": "unknown"})
        assert (picture.size, picture.mode) == ((600, 450), "RGB")


def test_the_diagnosis_drives_the_look() -> None:
    # Vascular lesions are red-purple, naevi brown: mean colour inside the centre differs.
    def centre_redness(dx: str) -> float:
        values = []
        for i in range(6):
            rgb = np.asarray(standin.render({"image_id": f"X{i}", "dx": dx}), dtype=float)
            centre = rgb[175:275, 250:350]
            values.append(centre[..., 0].mean() - centre[..., 1].mean())
        return float(np.mean(values))

    assert centre_redness("vasc") > centre_redness("nv") + 20


def test_the_subset_keeps_whole_lesions_and_the_class_mix() -> None:
    rows = read_rows(SHIPPED_METADATA)[1]
    subset = stratified_subset(rows, 500, seed=0)
    assert 490 <= len(subset) <= 500
    chosen = {r["lesion_id"] for r in subset}
    whole = Counter(r["lesion_id"] for r in rows if r["lesion_id"] in chosen)
    assert Counter(r["lesion_id"] for r in subset) == whole
    mix = Counter(r["dx"] for r in subset)
    assert set(mix) == {"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"}
    assert abs(mix["nv"] / len(subset) - 6705 / 10015) < 0.02
    assert stratified_subset(rows, 500, seed=0) == subset


def test_it_writes_the_ham10000_layout(tmp_path: Path) -> None:
    counts = write_standin_set(metadata=SHIPPED_METADATA, out=tmp_path, limit=14, processes=1)
    with (tmp_path / "HAM10000_metadata.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert sum(counts.values()) == len(rows) >= 10
    files = sorted(tmp_path.glob("HAM10000_images_part_*/*.jpg"))
    assert sorted(p.stem for p in files) == sorted(r["image_id"] for r in rows)
    assert {p.parent.name for p in files} == {"HAM10000_images_part_1", "HAM10000_images_part_2"}
    assert Image.open(files[0]).size == (600, 450)
    digest = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    write_standin_set(metadata=SHIPPED_METADATA, out=tmp_path, limit=14, processes=1)
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files} == digest
