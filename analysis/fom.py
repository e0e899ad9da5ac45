"""Figures of merit for the MRMC analysis, each with its leave-one-case-out jackknife.

A figure of merit (FOM) takes the truth of K cases and one reader's scores of them and returns a
number. The MRMC analysis needs every reader's FOM and its K leave-one-case-out values, so each
FOM here is defined by one vectorised function ``jackknife(truth, scores)`` that takes all
readers at once (``scores`` of shape (readers, K)) and returns ``(full (readers,),
leave_one_out (readers, K))``: that is what makes thousands of readers fast. Calling a FOM with
one reader's scores gives its full value.

Codes: in the reader analyses, ``truth`` holds diagnosis indices 0..6 (``DIAGNOSES`` order) and
``scores`` the answers' indices, where a timeout is ``NO_ANSWER`` (7) and matches no class. The
AUC takes any numeric scores with truth 1 = diseased.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lesions.codes import DIAGNOSES, MALIGNANT

Jackknife = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# Answer indices 0..7 (the eighth is a timeout): called malignant, called benign.
_CALLED_MALIGNANT = np.array([code in MALIGNANT for code in DIAGNOSES] + [False])
_CALLED_BENIGN = np.array([code not in MALIGNANT for code in DIAGNOSES] + [False])
_TRUTH_MALIGNANT = _CALLED_MALIGNANT[: len(DIAGNOSES)]


@dataclass(frozen=True)
class FigureOfMerit:
    """A named FOM: ``fom(truth, score) -> float``, with ``fom.jackknife`` for all readers."""

    name: str
    jackknife: Jackknife

    def __call__(self, truth: np.ndarray, score: np.ndarray) -> float:
        full, _ = self.jackknife(np.asarray(truth), np.asarray(score)[None, :])
        return float(full[0])


def _proportion_jackknife(hit: np.ndarray, counted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share of hits among the counted cases; leaving out an uncounted case changes nothing."""
    hits = np.where(counted[None, :], hit, False).astype(float)
    n = int(counted.sum())
    if n < 2:
        raise ValueError("a proportion's jackknife needs at least two counted cases")
    total = hits.sum(axis=1)
    full = total / n
    loo = np.where(counted[None, :], (total[:, None] - hits) / (n - 1), full[:, None])
    return full, loo


def _accuracy_jackknife(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hit = (scores == truth[None, :]).astype(float)
    k = hit.shape[1]
    total = hit.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):  # one case has no leave-one-out
        return total / k, (total[:, None] - hit) / (k - 1)


accuracy = FigureOfMerit("accuracy", _accuracy_jackknife)
"""Share of readings whose score (the answer) equals the truth; missing answers are wrong."""


def _balanced_accuracy_jackknife(
    truth: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean over the classes present of each class's share answered right (its TPR)."""
    classes, k_of_case, n_per_class = np.unique(truth, return_inverse=True, return_counts=True)
    m = len(classes)
    hit = (scores == truth[None, :]).astype(float)  # (J, K)
    onehot = np.zeros((len(truth), m))
    onehot[np.arange(len(truth)), k_of_case] = 1.0
    hits_per_class = hit @ onehot  # (J, m)
    tpr = hits_per_class / n_per_class[None, :]
    full = tpr.mean(axis=1)
    n_case = n_per_class[k_of_case][None, :]  # (1, K): size of each case's class
    tpr_case = tpr[:, k_of_case]
    with np.errstate(invalid="ignore", divide="ignore"):
        # Without the case its class keeps n - 1 cases; a class of one case disappears.
        kept = full[:, None] + ((hits_per_class[:, k_of_case] - hit) / (n_case - 1) - tpr_case) / m
        gone = (m * full[:, None] - tpr_case) / (m - 1) if m > 1 else np.full_like(tpr_case, np.nan)
    return full, np.where(n_case > 1, kept, gone)


balanced_accuracy = FigureOfMerit("balanced accuracy", _balanced_accuracy_jackknife)
"""Mean recall over the classes present among the cases (timeouts are wrong)."""


def _sensitivity_jackknife(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    malignant = _TRUTH_MALIGNANT[np.asarray(truth, dtype=np.int64)]
    return _proportion_jackknife(_CALLED_MALIGNANT[scores.astype(np.int64)], malignant)


sensitivity = FigureOfMerit("sensitivity (malignant)", _sensitivity_jackknife)
"""Share of the malignant cases (mel, bcc, akiec) called malignant; a timeout is not a call."""


def _specificity_jackknife(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    benign = ~_TRUTH_MALIGNANT[np.asarray(truth, dtype=np.int64)]
    return _proportion_jackknife(_CALLED_BENIGN[scores.astype(np.int64)], benign)


specificity = FigureOfMerit("specificity (benign)", _specificity_jackknife)
"""Share of the benign cases called benign (any benign class); a timeout is not a call."""


def _auc_jackknife(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    positive = np.asarray(truth).astype(bool)
    n1, n0 = int(positive.sum()), int((~positive).sum())
    if n1 < 2 or n0 < 2:
        raise ValueError("AUC needs at least two diseased and two non-diseased cases")
    x = scores[:, positive].astype(float)[:, :, None]
    y = scores[:, ~positive].astype(float)[:, None, :]
    psi = (x > y) + 0.5 * (x == y)  # (readers, n1, n0)
    v10 = psi.mean(axis=2)  # per diseased case
    v01 = psi.mean(axis=1)  # per non-diseased case
    full = v10.mean(axis=1)
    loo = np.empty(scores.shape, dtype=float)
    loo[:, positive] = (n1 * full[:, None] - v10) / (n1 - 1)
    loo[:, ~positive] = (n0 * full[:, None] - v01) / (n0 - 1)
    return full, loo


auc = FigureOfMerit("AUC", _auc_jackknife)
"""Empirical (trapezoidal) area under the ROC curve: truth 1 = diseased, ties count 1/2."""


# A reader's call and "How sure are you?" (1-5) as one malignancy rating on 1..10: benign calls
# 1 (sure) to 5 (unsure), malignant calls 6 (unsure) to 10 (sure). A timeout says nothing: it
# sits between the two halves. An answer whose confidence was never given counts as unsure.
NO_RATING = 5.5


def malignancy_rating(answers: np.ndarray, confidence: np.ndarray) -> np.ndarray:
    """Ratings 1..10 (``NO_RATING`` for a timeout) from answer indices and confidences 1-5."""
    answers = np.asarray(answers, dtype=np.int64)
    sure = np.nan_to_num(np.asarray(confidence, dtype=float), nan=1.0).clip(1, 5)
    called = np.where(_CALLED_MALIGNANT[answers], 5.0 + sure, 6.0 - sure)
    return np.where(answers == len(DIAGNOSES), NO_RATING, called)


def malignant_truth(truth: np.ndarray) -> np.ndarray:
    """Truth indices 0..6 as 1 (malignant) / 0 (benign)."""
    return _TRUTH_MALIGNANT[np.asarray(truth, dtype=np.int64)].astype(np.int64)


def jackknife(
    fom: Callable[..., float], truth: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """FOM of every reader (J,) and its leave-one-case-out values (J, K).

    A FOM with a ``jackknife`` attribute is computed in one call; any other ``fom(truth, score)``
    is called (K + 1) times per reader.
    """
    fast = getattr(fom, "jackknife", None)
    if fast is not None:
        full, loo = fast(truth, scores)
        return np.asarray(full, dtype=float), np.asarray(loo, dtype=float)
    n_readers, n_cases = scores.shape
    full = np.array([fom(truth, scores[j]) for j in range(n_readers)], dtype=float)
    loo = np.empty((n_readers, n_cases))
    keep = np.ones(n_cases, dtype=bool)
    for k in range(n_cases):
        keep[k] = False
        for j in range(n_readers):
            loo[j, k] = fom(truth[keep], scores[j, keep])
        keep[k] = True
    return full, loo
