from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, recall_score, roc_auc_score

from classifier.metrics import evaluate
from lesions.codes import DIAGNOSES


def random_case(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 7, n)
    logits = rng.normal(size=(n, 7))
    logits[np.arange(n), labels] += 1.5
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return labels, probabilities


def test_the_numbers_agree_with_scikit_learn_and_with_their_definitions() -> None:
    labels, probabilities = random_case()
    result = evaluate(labels, probabilities)
    predicted = probabilities.argmax(axis=1)
    assert result["accuracy"] == pytest.approx((predicted == labels).mean())
    assert result["error_rate"] == pytest.approx(1 - result["accuracy"])
    assert result["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(labels, predicted))
    for i, code in enumerate(DIAGNOSES):
        numbers = result["per_class"][code]
        assert numbers["tpr"] == pytest.approx(recall_score(labels == i, predicted == i))
        assert numbers["tnr"] == pytest.approx(recall_score(labels != i, predicted != i))
        assert numbers["gmean"] == pytest.approx(np.sqrt(numbers["tpr"] * numbers["tnr"]))
        assert numbers["auc"] == pytest.approx(roc_auc_score(labels == i, probabilities[:, i]))
        assert numbers["n"] == int((labels == i).sum())
    confusion = np.array(result["confusion"])
    assert confusion.shape == (7, 7)
    assert confusion[2, 5] == int(((labels == 2) & (predicted == 5)).sum())
    assert confusion.sum() == len(labels)


def test_a_class_absent_from_the_images_has_no_rate_and_is_left_out_of_the_balanced_mean() -> None:
    labels, probabilities = random_case()
    keep = labels != 3
    result = evaluate(labels[keep], probabilities[keep])
    assert result["per_class"]["df"]["tpr"] is None
    assert result["per_class"]["df"]["auc"] is None
    predicted = probabilities[keep].argmax(axis=1)
    assert result["balanced_accuracy"] == pytest.approx(
        balanced_accuracy_score(labels[keep], predicted)
    )


def test_probabilities_of_the_wrong_shape_are_refused() -> None:
    with pytest.raises(ValueError, match="N x 7"):
        evaluate(np.array([0, 1]), np.ones((2, 6)) / 6)
