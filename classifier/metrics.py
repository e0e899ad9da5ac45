"""A trained model's numbers on held-out images, as an ``Evaluation`` stores them.

Accuracy, error rate, balanced accuracy, per-class TPR, TNR and their geometric mean come from
``analysis.metrics`` (the one place that counts them, for readers and models alike); this
module adds what only probabilities give, the one-vs-rest AUC, and the 7x7 confusion matrix.
No Django here. Class order is ``lesions.codes.DIAGNOSES`` throughout.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from analysis.metrics import model_metrics
from lesions.codes import DIAGNOSES


def _rate(value: float) -> float | None:
    # analysis.metrics gives NaN where there is nothing to count; a stored evaluation says None.
    return None if math.isnan(value) else float(value)


def evaluate(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, Any]:
    """Metrics of ``probabilities`` (N x 7, rows sum to 1) against integer ``labels`` (N)."""
    labels = np.asarray(labels, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    k = len(DIAGNOSES)
    if probabilities.ndim != 2 or probabilities.shape != (len(labels), k):
        raise ValueError(f"probabilities must be N x {k} for N={len(labels)} labels")
    if not len(labels):
        raise ValueError("No images to evaluate")
    numbers = model_metrics(labels, probabilities.argmax(axis=1))
    n = int(numbers.n)
    per_class: dict[str, dict[str, float | int | None]] = {}
    for i, code in enumerate(DIAGNOSES):
        positives = int(numbers.support[i])
        auc = None
        if positives and n - positives:
            auc = float(roc_auc_score(labels == i, probabilities[:, i]))
        per_class[code] = {
            "tpr": _rate(numbers.tpr[i]),
            "tnr": _rate(numbers.tnr[i]),
            "gmean": _rate(numbers.gmean[i]),
            "auc": auc,
            "n": positives,
        }
    return {
        "n_images": n,
        "accuracy": float(numbers.accuracy),
        "error_rate": float(numbers.error_rate),
        # Mean recall over the classes present, as sklearn's balanced_accuracy_score.
        "balanced_accuracy": float(numbers.balanced_accuracy),
        "per_class": per_class,
        # A model never times out: the confusion's timeout column is empty and left off.
        "confusion": numbers.confusion[:, :k].astype(int).tolist(),
    }
