"""The stand-in renderer: deterministic, the right size, a look driven by the diagnosis."""

from __future__ import annotations

import numpy as np

from lesions.standin.render import render, render_jpeg

ROW = {"image_id": "ISIC_0024306", "dx": "mel", "age": "65", "sex": "male", "localization": "back"}


def test_the_same_row_and_seed_give_the_same_bytes() -> None:
    assert render_jpeg(ROW, seed=3) == render_jpeg(ROW, seed=3)


def test_another_seed_or_image_id_gives_another_image() -> None:
    first = np.asarray(render(ROW, seed=0), dtype=np.int16)
    reseeded = np.asarray(render(ROW, seed=1), dtype=np.int16)
    renamed = np.asarray(render({**ROW, "image_id": "ISIC_0024307"}), dtype=np.int16)
    assert np.abs(first - reseeded).mean() > 5
    assert np.abs(first - renamed).mean() > 5


def test_images_are_600_by_450_rgb_for_every_diagnosis_and_missing_clinical_data() -> None:
    for dx in ("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"):
        picture = render({"image_id": f"ISIC_{dx}", "dx": dx, "age": "", "sex": "unknown"})
        assert (picture.size, picture.mode) == ((600, 450), "RGB")


def test_the_diagnosis_drives_the_look() -> None:
    # Vascular lesions are red-purple, naevi brown: mean colour inside the centre differs.
    def centre_redness(dx: str) -> float:
        values = []
        for i in range(6):
            rgb = np.asarray(render({"image_id": f"X{i}", "dx": dx}), dtype=float)
            centre = rgb[175:275, 250:350]
            values.append(centre[..., 0].mean() - centre[..., 1].mean())
        return float(np.mean(values))

    assert centre_redness("vasc") > centre_redness("nv") + 20
