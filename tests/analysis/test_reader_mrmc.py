"""MRMC of the figures GPs care about, each on its cases, in the design the readings fit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import frames as F
from analysis import reader_mrmc
from tests.analysis.readings import readings

T, H = F.TIMED, F.HINT
TRUTHS = ["mel", "nv", "bcc", "bkl", "akiec", "nv", "df", "mel", "nv", "vasc", "bcc", "bkl"]


def _phase(phase: str, kind: str, images: list[str], readers: list[str], seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    rows = []
    for reader in readers:
        for image in images:
            truth = TRUTHS[int(image[1:]) % len(TRUTHS)]
            right = rng.random() < (0.7 if kind == H else 0.4)
            answer = truth if right else rng.choice(["nv", "bkl", "mel"])
            rows.append((phase, kind, reader, image, truth, answer, "mel"))
    return rows


READERS = ["R1", "R2", "R3", "R4"]
SET_A = [f"i{k}" for k in range(12)]
SET_B = [f"i{k}" for k in range(12, 24)]


def _split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return frame[frame[F.PHASE_KIND] != H], frame[frame[F.PHASE_KIND] == H]


def test_the_same_images_in_both_phases_are_crossed() -> None:
    frame = readings(_phase("a", T, SET_A, READERS, 1) + _phase("b", H, SET_A, READERS, 2))
    choice, figures, note = reader_mrmc.figures_mrmc(*_split(frame))
    assert choice is not None
    assert choice.design == "crossed"
    assert "Hillis (2007)" in choice.source
    assert [f.figure for f in figures] == [
        "accuracy",
        "balanced accuracy",
        "sensitivity",
        "specificity",
    ]
    assert note == "design crossed; 4 readers"


def test_new_images_in_the_ai_phase_are_cases_nested_within_modality() -> None:
    frame = readings(_phase("a", T, SET_A, READERS, 1) + _phase("b", H, SET_B, READERS, 2))
    choice, figures, _ = reader_mrmc.figures_mrmc(*_split(frame))
    assert choice is not None
    assert choice.design == "cases_nested_in_modality"
    assert "MRMCaov" in choice.source
    by_name = {f.figure: f for f in figures}
    # Each figure on its own cases: sensitivity on the malignant ones only.
    malignant = sum(TRUTHS[k % 12] in ("mel", "bcc", "akiec") for k in range(24))
    assert by_name["sensitivity"].note == f"{malignant} cases"
    assert by_name["accuracy"].note == "24 cases"
    assert by_name["sensitivity"].result is not None
    assert by_name["sensitivity"].result.covariances.cov1 == 0.0


def test_swapped_image_sets_are_partially_paired_with_their_model_and_sources() -> None:
    rows = (
        _phase("a", T, SET_A, READERS[:2], 1)
        + _phase("a", T, SET_B, READERS[2:], 2)
        + _phase("b", H, SET_B, READERS[:2], 3)
        + _phase("b", H, SET_A, READERS[2:], 4)
    )
    frame = readings(rows)
    frame[F.IMAGE_SET] = np.where(frame[F.IMAGE].isin(SET_A), "A", "B")
    choice, figures, note = reader_mrmc.figures_mrmc(*_split(frame))
    assert choice is not None
    assert choice.design == "partially_paired"
    assert "split-plot" in choice.model
    assert "Obuchowski, Gallas & Hillis (2012)" in choice.source
    assert note == "design partially_paired; 4 readers"
    accuracy = figures[0].result
    assert accuracy is not None
    assert accuracy.cases_per_reader == 12
    assert abs(accuracy.covariances.cov1) < 1e-15  # a reader's two phases share no case


def test_a_reader_who_read_half_an_image_set_stays_out() -> None:
    rows = _phase("a", T, SET_A, READERS, 1) + _phase("b", H, SET_A, READERS, 2)
    frame = readings(rows)
    frame = frame[~((frame[F.READER] == "R4") & (frame[F.IMAGE] == "i3") & (frame[F.PHASE] == "b"))]
    _, figures, note = reader_mrmc.figures_mrmc(*_split(frame))
    assert "1 who did not finish both phases left out" in note
    assert figures[0].result is not None
    assert len(figures[0].result.readers) == 3


def test_the_confidence_auc_joins_where_the_confidence_was_asked() -> None:
    frame = readings(_phase("a", T, SET_A, READERS, 1) + _phase("b", H, SET_A, READERS, 2))
    rng = np.random.default_rng(5)
    frame[F.CONFIDENCE] = rng.integers(1, 6, len(frame)).astype(float)
    _, figures, _ = reader_mrmc.figures_mrmc(*_split(frame))
    auc = {f.figure: f for f in figures}["confidence AUC"]
    assert auc.result is not None
    for estimate in auc.result.estimates:
        assert 0 <= estimate.estimate <= 1
    frame[F.CONFIDENCE] = np.nan
    _, figures, _ = reader_mrmc.figures_mrmc(*_split(frame))
    assert "confidence AUC" not in {f.figure for f in figures}


def test_too_few_cases_of_a_kind_lose_that_figure_only() -> None:
    images = ["i1", "i5"]  # nv, nv: no malignant case at all
    frame = readings(_phase("a", T, images, READERS, 1) + _phase("b", H, images, READERS, 2))
    _, figures, _ = reader_mrmc.figures_mrmc(*_split(frame))
    by_name = {f.figure: f for f in figures}
    assert by_name["sensitivity"].result is None
    assert by_name["sensitivity"].note.startswith("skipped:")
    assert by_name["accuracy"].result is not None
