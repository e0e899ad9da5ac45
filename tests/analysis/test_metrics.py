from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from analysis import metrics
from lesions.codes import DIAGNOSES

TRUTH = ["akiec", "bcc", "bcc", "mel", "nv", "nv", "nv", "vasc"]
ANSWER = ["akiec", "mel", "bcc", None, "nv", "bkl", "nv", "nv"]


def test_confusion_counts_a_hand_made_example_with_a_timeout_column() -> None:
    counts = metrics.confusion(TRUTH, ANSWER)
    expected = np.zeros((7, 8), dtype=int)
    expected[0, 0] = 1  # akiec -> akiec
    expected[1, 4] = 1  # bcc -> mel
    expected[1, 1] = 1  # bcc -> bcc
    expected[4, 7] = 1  # mel -> timeout
    expected[5, 5] = 2  # nv -> nv twice
    expected[5, 2] = 1  # nv -> bkl
    expected[6, 5] = 1  # vasc -> nv
    np.testing.assert_array_equal(counts, expected)


def test_hand_computed_metrics_count_a_timeout_as_wrong_and_report_it() -> None:
    m = metrics.from_confusion(metrics.confusion(TRUTH, ANSWER))
    assert m.n == 8
    assert m.correct == 4
    assert m.accuracy == pytest.approx(4 / 8)
    assert m.error_rate == pytest.approx(4 / 8)
    assert m.timeouts == 1
    assert m.timeout_rate == pytest.approx(1 / 8)
    tpr = dict(zip(DIAGNOSES, m.tpr, strict=True))
    assert tpr["mel"] == 0.0  # the only melanoma timed out
    assert tpr["bcc"] == pytest.approx(1 / 2)
    assert tpr["nv"] == pytest.approx(2 / 3)
    assert np.isnan(tpr["df"])  # no dermatofibroma to find
    # nv: called 3 times (2 right), 5 non-nv cases of which 1 called nv -> TNR 4/5.
    nv = DIAGNOSES.index("nv")
    assert m.tnr[nv] == pytest.approx(4 / 5)
    assert m.ppv[nv] == pytest.approx(2 / 3)
    assert m.gmean[nv] == pytest.approx(np.sqrt(2 / 3 * 4 / 5))
    assert m.f1[nv] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    # balanced accuracy over the five classes present: akiec 1, bcc 1/2, mel 0, nv 2/3, vasc 0
    assert m.balanced_accuracy == pytest.approx((1 + 0.5 + 0 + 2 / 3 + 0) / 5)


def test_malignant_sensitivity_counts_a_timeout_as_a_miss() -> None:
    m = metrics.from_confusion(metrics.confusion(TRUTH, ANSWER))
    # malignant cases: akiec (akiec), bcc (mel), bcc (bcc), mel (timeout) -> 3 of 4
    assert m.sensitivity == pytest.approx(3 / 4)
    # benign cases: nv, nv, nv, vasc all answered benign -> 4 of 4
    assert m.specificity == pytest.approx(1.0)
    timed_out_benign = metrics.from_confusion(metrics.confusion(["nv", "nv"], ["nv", None]))
    assert timed_out_benign.specificity == pytest.approx(1 / 2)


def test_metrics_agree_with_scikit_learn_on_random_answers() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 7, 500)
    answer = np.where(rng.random(500) < 0.5, truth, rng.integers(0, 7, 500))
    m = metrics.from_confusion(metrics.confusion(truth, answer))
    labels = list(range(7))
    np.testing.assert_array_equal(
        m.confusion[:, :7], skm.confusion_matrix(truth, answer, labels=labels)
    )
    assert m.accuracy == pytest.approx(skm.accuracy_score(truth, answer))
    assert m.balanced_accuracy == pytest.approx(skm.balanced_accuracy_score(truth, answer))
    np.testing.assert_allclose(m.tpr, skm.recall_score(truth, answer, average=None))
    np.testing.assert_allclose(m.ppv, skm.precision_score(truth, answer, average=None))
    np.testing.assert_allclose(m.f1, skm.f1_score(truth, answer, average=None))
    per_class = skm.multilabel_confusion_matrix(truth, answer, labels=labels)
    tn, fp = per_class[:, 0, 0], per_class[:, 0, 1]
    np.testing.assert_allclose(m.tnr, tn / (tn + fp))
    malignant = np.isin(truth, [0, 1, 4])
    said_malignant = np.isin(answer, [0, 1, 4])
    assert m.sensitivity == pytest.approx(skm.recall_score(malignant, said_malignant))
    assert m.specificity == pytest.approx(skm.recall_score(~malignant, ~said_malignant))


def test_wilson_interval_matches_the_hand_computed_bounds() -> None:
    low, high = metrics.wilson(3, 10)
    assert (round(float(low), 4), round(float(high), 4)) == (0.1078, 0.6032)
    empty_low, _ = metrics.wilson(0, 0)
    assert np.isnan(empty_low)


def test_per_group_counts_are_the_sum_of_their_readers() -> None:
    rng = np.random.default_rng(1)
    reader = rng.integers(0, 5, 300)
    truth = rng.integers(0, 7, 300)
    answer = rng.integers(0, 8, 300)  # 7 = timeout
    stack = metrics.confusion_by_group(reader, truth, answer, 5)
    for r in range(5):
        mine = reader == r
        np.testing.assert_array_equal(stack[r], metrics.confusion(truth[mine], answer[mine]))
    assert stack.sum() == 300


def test_group_metrics_give_pooled_and_mean_over_readers_with_spread() -> None:
    readers = ["R1"] * 4 + ["R2"] * 2
    truth = ["nv", "nv", "mel", "mel", "nv", "mel"]
    answer = ["nv", "nv", "mel", "nv", "bkl", None]
    group = metrics.group_metrics(readers, truth, answer)
    assert group.readers == ["R1", "R2"]
    np.testing.assert_allclose(group.per_reader.accuracy, [3 / 4, 0.0])
    assert group.pooled.accuracy == pytest.approx(3 / 6)
    assert group.mean_accuracy.mean == pytest.approx(3 / 8)
    assert group.mean_accuracy.sd == pytest.approx(np.std([0.75, 0.0], ddof=1))
    assert group.mean_accuracy.ci_low < 3 / 8 < group.mean_accuracy.ci_high
    assert group.pooled.timeouts == 1


def test_a_model_is_measured_like_a_reader_that_never_times_out() -> None:
    m = metrics.model_metrics(["nv", "mel", "bcc"], ["nv", "mel", "nv"])
    assert m.accuracy == pytest.approx(2 / 3)
    assert m.timeouts == 0
    table = metrics.per_class_table(m)
    assert list(table["diagnosis"]) == list(DIAGNOSES)
    assert table.set_index("diagnosis").loc["bcc", "tpr"] == 0.0


def test_unknown_diagnoses_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="melanoma"):
        metrics.confusion(["nv"], ["melanoma"])


def test_a_models_balanced_accuracy_is_scikit_learns_over_the_classes_present() -> None:
    rng = np.random.default_rng(3)
    truth = rng.choice([0, 1, 2, 4, 6], 200)
    predicted = np.where(rng.random(200) < 0.6, truth, rng.integers(0, 7, 200))
    assert metrics.balanced_accuracy(truth, predicted) == pytest.approx(
        skm.balanced_accuracy_score(truth, predicted)
    )
