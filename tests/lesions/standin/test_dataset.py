"""A stand-in image set: a stratified subset of whole lesions, written in the HAM10000 layout."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

from PIL import Image

from lesions.standin.dataset import (
    SHIPPED_METADATA,
    read_rows,
    stratified_subset,
    write_standin_set,
)


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
