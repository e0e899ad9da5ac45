"""The paper's numbers from labels and probabilities: accuracy, error rate, balanced accuracy,
per-class TPR, TNR, their geometric mean and one-vs-rest AUC, and the confusion matrix.

No Django here. Class order is ``lesions.codes.DIAGNOSES`` throughout.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, roc_auc_score

from lesions.codes import DIAGNOSES


def evaluate(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, Any]:
    """Metrics of ``probabilities`` (N x 7, rows sum to 1) against integer ``labels`` (N)."""
    labels = np.asarray(labels, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    k = len(DIAGNOSES)
    if probabilities.ndim != 2 or probabilities.shape != (len(labels), k):
        raise ValueError(f"probabilities must be N x {k} for N={len(labels)} labels")
    if not len(labels):
        raise ValueError("No images to evaluate")
    predicted = probabilities.argmax(axis=1)
    confusion = confusion_matrix(labels, predicted, labels=list(range(k)))
    n = int(confusion.sum())
    correct = int(np.trace(confusion))
    per_class: dict[str, dict[str, float | int | None]] = {}
    recalls = []
    for i, code in enumerate(DIAGNOSES):
        tp = int(confusion[i, i])
        positives = int(confusion[i].sum())
        fp = int(confusion[:, i].sum()) - tp
        negatives = n - positives
        tn = negatives - fp
        tpr = tp / positives if positives else None
        tnr = tn / negatives if negatives else None
        gmean = math.sqrt(tpr * tnr) if tpr is not None and tnr is not None else None
        auc = None
        if positives and negatives:
            auc = float(roc_auc_score(labels == i, probabilities[:, i]))
        if tpr is not None:
            recalls.append(tpr)
        per_class[code] = {"tpr": tpr, "tnr": tnr, "gmean": gmean, "auc": auc, "n": positives}
    accuracy = correct / n
    return {
        "n_images": n,
        "accuracy": accuracy,
        "error_rate": 1.0 - accuracy,
        # Mean recall over the classes present, as sklearn's balanced_accuracy_score.
        "balanced_accuracy": float(np.mean(recalls)),
        "per_class": per_class,
        "confusion": confusion.astype(int).tolist(),
    }


def balanced_accuracy(labels: np.ndarray, predicted: np.ndarray) -> float:
    labels = np.asarray(labels)
    predicted = np.asarray(predicted)
    recalls = [float((predicted[labels == c] == c).mean()) for c in np.unique(labels)]
    return float(np.mean(recalls)) if recalls else 0.0
