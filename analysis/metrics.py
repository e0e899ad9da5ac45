"""Classification metrics for readers, groups of readers and models (numpy/pandas, no Django).

Everything starts from confusion counts of shape (..., 7, 8): rows are the true diagnosis in
``DIAGNOSES`` order, columns the answer, and the eighth column counts timeouts. A timeout is an
answer that matches no class: it lowers accuracy and its class's TPR, is never a positive call
(so it is a true negative for the other classes' TNR) and is also counted on its own. In the
malignant-vs-benign view a timeout is wrong on both sides.

Counting is one ``np.bincount`` over code indices, so a million readings cost milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from analysis.frames import MALIGNANT_MASK, NO_ANSWER, code_index
from lesions.codes import DIAGNOSES

N_CLASSES = len(DIAGNOSES)
N_ANSWERS = N_CLASSES + 1
ALPHA = 0.05


def confusion(truth: object, answer: object) -> np.ndarray:
    """Counts (7, 8) for one set of readings; ``truth``/``answer`` are codes or indices."""
    counts: np.ndarray = confusion_by_group(
        np.zeros(len(_as_index(truth)), dtype=np.int64), truth, answer, 1
    )[0]
    return counts


def confusion_by_group(
    group: np.ndarray, truth: object, answer: object, n_groups: int | None = None
) -> np.ndarray:
    """Counts (G, 7, 8): one confusion per group index (reader, phase, ...), in one bincount."""
    t = _as_index(truth)
    a = _as_index(answer)
    g = np.asarray(group, dtype=np.int64)
    if not (len(g) == len(t) == len(a)):
        raise ValueError("group, truth and answer must have the same length")
    if (t >= N_CLASSES).any():
        raise ValueError("every reading needs a true diagnosis")
    n = int(n_groups if n_groups is not None else (g.max() + 1 if len(g) else 0))
    flat = np.bincount((g * N_CLASSES + t) * N_ANSWERS + a, minlength=n * N_CLASSES * N_ANSWERS)
    counts: np.ndarray = flat.reshape(n, N_CLASSES, N_ANSWERS)
    return counts


def _as_index(values: object) -> np.ndarray:
    if isinstance(values, pd.Series):
        if values.dtype.kind in "iu":
            indices: np.ndarray = values.to_numpy(dtype=np.int64)
            return indices
        return code_index(values)
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    return code_index(pd.Series(array, dtype=object))


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def wilson(count: np.ndarray | float, nobs: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson 95% interval; NaN where there is nothing to count."""
    count = np.asarray(count, dtype=float)
    nobs = np.asarray(nobs, dtype=float)
    safe = np.where(nobs > 0, nobs, 1.0)
    low, high = proportion_confint(count, safe, alpha=ALPHA, method="wilson")
    return np.where(nobs > 0, low, np.nan), np.where(nobs > 0, high, np.nan)


@dataclass(frozen=True)
class Metrics:
    """Metrics of one or many confusion matrices; arrays have the leading shape of the input."""

    confusion: np.ndarray  # (..., 7, 8)
    n: np.ndarray
    correct: np.ndarray
    timeouts: np.ndarray
    accuracy: np.ndarray
    accuracy_ci: tuple[np.ndarray, np.ndarray]
    error_rate: np.ndarray
    timeout_rate: np.ndarray
    balanced_accuracy: np.ndarray
    # (..., 7) per class, DIAGNOSES order
    support: np.ndarray
    tpr: np.ndarray
    tpr_ci: tuple[np.ndarray, np.ndarray]
    tnr: np.ndarray
    tnr_ci: tuple[np.ndarray, np.ndarray]
    gmean: np.ndarray
    ppv: np.ndarray
    f1: np.ndarray
    # malignant (mel, bcc, akiec) vs benign
    sensitivity: np.ndarray
    sensitivity_ci: tuple[np.ndarray, np.ndarray]
    specificity: np.ndarray
    specificity_ci: tuple[np.ndarray, np.ndarray]


def from_confusion(counts: np.ndarray) -> Metrics:
    """All metrics from counts of shape (..., 7, 8) (or (..., 7, 7) without timeouts)."""
    c = np.asarray(counts, dtype=np.int64)
    if c.shape[-1] == N_CLASSES:
        c = np.concatenate([c, np.zeros((*c.shape[:-1], 1), dtype=np.int64)], axis=-1)
    if c.shape[-2:] != (N_CLASSES, N_ANSWERS):
        raise ValueError(f"confusion must be (..., 7, 8) or (..., 7, 7), not {c.shape}")
    square = c[..., :N_CLASSES]
    support = c.sum(axis=-1)  # per true class, timeouts included
    n = support.sum(axis=-1)
    tp = np.diagonal(square, axis1=-2, axis2=-1)
    called = square.sum(axis=-2)  # answers given per class
    fp = called - tp
    fn = support - tp
    tn = n[..., None] - tp - fp - fn
    timeouts = c[..., NO_ANSWER].sum(axis=-1)
    correct = tp.sum(axis=-1)
    tpr = _ratio(tp, support)
    tnr = _ratio(tn, tn + fp)
    ppv = _ratio(tp, called)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    with np.errstate(invalid="ignore"):
        balanced = np.nanmean(np.where(support > 0, tpr, np.nan), axis=-1)
    malignant_rows = c[..., MALIGNANT_MASK, :]
    benign_rows = c[..., ~MALIGNANT_MASK, :]
    mal_n = malignant_rows.sum(axis=(-1, -2))
    ben_n = benign_rows.sum(axis=(-1, -2))
    mal_hit = malignant_rows[..., :N_CLASSES][..., MALIGNANT_MASK].sum(axis=(-1, -2))
    ben_hit = benign_rows[..., :N_CLASSES][..., ~MALIGNANT_MASK].sum(axis=(-1, -2))
    accuracy = _ratio(correct, n)
    return Metrics(
        confusion=c,
        n=n,
        correct=correct,
        timeouts=timeouts,
        accuracy=accuracy,
        accuracy_ci=wilson(correct, n),
        error_rate=1.0 - accuracy,
        timeout_rate=_ratio(timeouts, n),
        balanced_accuracy=balanced,
        support=support,
        tpr=tpr,
        tpr_ci=wilson(tp, support),
        tnr=tnr,
        tnr_ci=wilson(tn, tn + fp),
        gmean=np.sqrt(tpr * tnr),
        ppv=ppv,
        f1=f1,
        sensitivity=_ratio(mal_hit, mal_n),
        sensitivity_ci=wilson(mal_hit, mal_n),
        specificity=_ratio(ben_hit, ben_n),
        specificity_ci=wilson(ben_hit, ben_n),
    )


def summary_row(m: Metrics) -> dict[str, float]:
    """The headline numbers of a single (non-stacked) Metrics as a flat dict."""
    return {
        "n": int(m.n),
        "correct": int(m.correct),
        "accuracy": float(m.accuracy),
        "accuracy_ci_low": float(m.accuracy_ci[0]),
        "accuracy_ci_high": float(m.accuracy_ci[1]),
        "error_rate": float(m.error_rate),
        "balanced_accuracy": float(m.balanced_accuracy),
        "timeouts": int(m.timeouts),
        "timeout_rate": float(m.timeout_rate),
        "sensitivity_malignant": float(m.sensitivity),
        "specificity_malignant": float(m.specificity),
    }


def per_class_table(m: Metrics) -> pd.DataFrame:
    """One row per diagnosis: support, TPR (CI), TNR (CI), geometric mean, PPV, F1."""
    return pd.DataFrame(
        {
            "diagnosis": list(DIAGNOSES),
            "n": m.support,
            "tpr": m.tpr,
            "tpr_ci_low": m.tpr_ci[0],
            "tpr_ci_high": m.tpr_ci[1],
            "tnr": m.tnr,
            "tnr_ci_low": m.tnr_ci[0],
            "tnr_ci_high": m.tnr_ci[1],
            "gmean": m.gmean,
            "ppv": m.ppv,
            "f1": m.f1,
        }
    )


def per_group_table(m: Metrics, labels: list[object], label: str = "reader") -> pd.DataFrame:
    """One row per group of a stacked Metrics (G, ...), with per-class TPR columns."""
    table = pd.DataFrame(
        {
            label: labels,
            "n": m.n,
            "correct": m.correct,
            "accuracy": m.accuracy,
            "accuracy_ci_low": m.accuracy_ci[0],
            "accuracy_ci_high": m.accuracy_ci[1],
            "error_rate": m.error_rate,
            "balanced_accuracy": m.balanced_accuracy,
            "timeouts": m.timeouts,
            "sensitivity_malignant": m.sensitivity,
            "specificity_malignant": m.specificity,
        }
    )
    for i, code in enumerate(DIAGNOSES):
        table[f"tpr_{code}"] = m.tpr[:, i]
    return table


@dataclass(frozen=True)
class Spread:
    """Mean over readers of a per-reader value, with its spread and a t interval of the mean."""

    mean: float
    sd: float
    median: float
    minimum: float
    maximum: float
    n: int
    ci_low: float
    ci_high: float


def spread(values: np.ndarray) -> Spread:
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = len(v)
    if n == 0:
        nan = float("nan")
        return Spread(nan, nan, nan, nan, nan, 0, nan, nan)
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if n > 1 else float("nan")
    if n > 1 and sd > 0:
        half = float(sps.t.ppf(1 - ALPHA / 2, n - 1)) * sd / np.sqrt(n)
    else:
        half = float("nan") if n < 2 else 0.0
    return Spread(
        mean=mean,
        sd=sd,
        median=float(np.median(v)),
        minimum=float(v.min()),
        maximum=float(v.max()),
        n=n,
        ci_low=mean - half,
        ci_high=mean + half,
    )


@dataclass(frozen=True)
class GroupMetrics:
    """A group of readers: metrics pooled over all readings, per reader, and their mean."""

    readers: list[object]
    pooled: Metrics
    per_reader: Metrics
    mean_accuracy: Spread
    mean_balanced_accuracy: Spread
    mean_tpr: list[Spread]


def factorize(values: object) -> tuple[np.ndarray, list[object]]:
    """Group indices and sorted labels; a categorical's own codes are reused (no rehashing)."""
    series = (
        values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    )
    if isinstance(series.dtype, pd.CategoricalDtype):
        used = series.cat.remove_unused_categories()
        order = np.argsort(np.asarray(used.cat.categories, dtype=object).astype(str))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        codes = np.asarray(used.cat.codes, dtype=np.int64)
        if (codes < 0).any():
            raise ValueError("every reading needs a reader")
        return rank[codes], [used.cat.categories[i] for i in order]
    index, labels = pd.factorize(series, sort=True)
    return index, list(labels)


def group_metrics(reader: object, truth: object, answer: object) -> GroupMetrics:
    """Per-reader and pooled metrics of one group's readings (one phase, say)."""
    index, labels = factorize(reader)
    stack = confusion_by_group(index, truth, answer, len(labels))
    per_reader = from_confusion(stack)
    return GroupMetrics(
        readers=list(labels),
        pooled=from_confusion(stack.sum(axis=0)),
        per_reader=per_reader,
        mean_accuracy=spread(per_reader.accuracy),
        mean_balanced_accuracy=spread(per_reader.balanced_accuracy),
        mean_tpr=[spread(per_reader.tpr[:, i]) for i in range(N_CLASSES)],
    )


def model_metrics(truth: object, predicted: object) -> Metrics:
    """A model's predictions (one per image; a model never times out)."""
    return from_confusion(confusion(truth, predicted))


def balanced_accuracy(truth: object, predicted: object) -> float:
    """A model's mean recall over the classes present in ``truth`` (as scikit-learn's
    ``balanced_accuracy_score``): the validation score a training run keeps its best weights by.
    """
    return float(model_metrics(truth, predicted).balanced_accuracy)
