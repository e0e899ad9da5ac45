"""The figures of merit: each vectorised jackknife equals recomputing without each case."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import fom
from analysis.frames import NO_ANSWER
from lesions.codes import DIAGNOSES


def _readings(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 7, 40)
    truth[:3] = 3  # one class with few cases
    truth[3] = 6  # and one with a single case, which disappears when it is left out
    truth[truth == 6] = 0
    truth[3] = 6
    scores = np.where(rng.random((5, 40)) < 0.5, truth, rng.integers(0, 8, (5, 40)))
    scores[:, 5] = NO_ANSWER  # a timeout for everybody
    return truth, scores


@pytest.mark.parametrize(
    "figure", [fom.accuracy, fom.balanced_accuracy, fom.sensitivity, fom.specificity]
)
def test_each_jackknife_equals_recomputing_without_each_case(figure: fom.FigureOfMerit) -> None:
    truth, scores = _readings(4)
    full, loo = figure.jackknife(truth, scores)
    for j in range(scores.shape[0]):
        assert full[j] == pytest.approx(figure(truth, scores[j]))
        for k in range(40):
            keep = np.arange(40) != k
            assert loo[j, k] == pytest.approx(figure(truth[keep], scores[j, keep]))


def test_balanced_accuracy_is_the_mean_recall_over_the_classes_present() -> None:
    truth = np.array([0, 0, 1, 1, 1, 1])
    answer = np.array([0, NO_ANSWER, 1, 1, 1, 2])
    assert fom.balanced_accuracy(truth, answer) == pytest.approx((1 / 2 + 3 / 4) / 2)


def test_sensitivity_and_specificity_count_any_malignant_or_benign_call() -> None:
    code = {c: i for i, c in enumerate(DIAGNOSES)}
    truth = np.array([code["mel"], code["bcc"], code["akiec"], code["nv"], code["bkl"]])
    answer = np.array([code["bcc"], code["nv"], NO_ANSWER, code["df"], NO_ANSWER])
    # mel called bcc is a malignant call; a timeout is no call on either side.
    assert fom.sensitivity(truth, answer) == pytest.approx(1 / 3)
    assert fom.specificity(truth, answer) == pytest.approx(1 / 2)


def test_a_call_and_its_confidence_make_one_malignancy_rating() -> None:
    code = {c: i for i, c in enumerate(DIAGNOSES)}
    answers = np.array([code["mel"], code["mel"], code["nv"], code["nv"], NO_ANSWER, code["bcc"]])
    confidence = np.array([5, 1, 5, 1, np.nan, np.nan])
    assert fom.malignancy_rating(answers, confidence).tolist() == [10, 6, 1, 5, 5.5, 6]


def test_a_plain_function_is_jackknifed_by_recomputing() -> None:
    truth, scores = _readings(5)

    def share_right(t: np.ndarray, s: np.ndarray) -> float:
        return float(np.mean(t == s))

    full, loo = fom.jackknife(share_right, truth, scores)
    fast_full, fast_loo = fom.jackknife(fom.accuracy, truth, scores)
    assert full == pytest.approx(fast_full)
    assert loo == pytest.approx(fast_loo)
