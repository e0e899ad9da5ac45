"""Multi-reader multi-case analysis: Obuchowski-Rockette with Hillis degrees of freedom.

``or_hillis(df, fom, design)`` takes a long DataFrame (``reader, modality, case, truth, score``),
computes the figure of merit of every reader in every modality and its jackknife over cases,
and from those the OR covariances (Var, Cov1: same reader / other modality, Cov2: other reader /
same modality, Cov3: other reader / other modality) and three analyses
(``analysis.mrmc_anova``): random readers and random cases (Hillis ddf), fixed readers (chi-square)
and fixed cases (the reader-by-modality ANOVA).

The jackknife is MRMCaov's: one leave-one-case-out over all N cases of the study. Leaving out a
case that a reader did not read in a modality leaves that reader's FOM there unchanged; every
(modality, reader) FOM is centred over the N values and the covariances carry (N - 1) / N.
Var, Cov1, Cov2 and Cov3 are the means of that (IJ x IJ) covariance matrix over its diagonal and
its three kinds of pairs (computed from sums of products, never as the matrix itself). Designs:

- ``"crossed"``: every reader reads every case in every modality (N = K: the usual jackknife).
- ``"cases_nested_in_modality"``: each modality has its own cases (a contest whose AI phase shows
  new images); MRMCaov's design 3: Cov1 = Cov3 = 0 (set to 0, as MRMCaov does; they are 0 up to
  rounding for FOMs whose leave-one-out mean is the full FOM, as accuracy and the AUC).
- ``"partially_paired"``: each reader reads some of the cases in each modality, and the
  modalities share cases across readers, such as image sets swapped between the phases for half
  the readers (per reader the cases are nested within modality). MRMCaov analyses such data as
  a factorial design, "partially paired" (its design -1): the covariances as computed, with the
  crossed formulas. Structurally independent pairs (a reader's two modalities share no case)
  contribute covariances of 0 to the means.

References: Obuchowski NA, Rockette HE (1995) Commun Stat Simul Comput 24:285-308; Hillis SL
(2007) Stat Med 26:596-619. The nested and partially paired jackknife follow MRMCaov (Smith BJ,
Hillis SL, Pesce LL; R package v0.3.0, github.com/brian-j-smith/MRMCaov: R/jackknife.R,
R/utils.R ``get_design`` and ``vcov_comps.mrmc``; Smith BJ, Hillis SL (2020) Proc SPIE 11316,
113160K, doi:10.1117/12.2549075), whose printed nested Van Dyke example this reproduces. The
crossed results are checked against the OR-DBM MRMC 2.5 output for the Van Dyke data.

Any ``fom(truth, score) -> float`` works (see ``analysis.fom``); one with a vectorised
``jackknife`` attribute (``accuracy``, ``auc`` and the others there) is computed for all readers
at once, which is what makes thousands of readers fast. Study sizing from a pilot's result:
``or_power`` and ``or_sample_size`` (``analysis.mrmc_power``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.fom import accuracy, auc, jackknife
from analysis.mrmc_anova import (
    ALPHA,
    Analysis,
    Covariances,
    Estimate,
    MRMCResult,
    fixed_readers_random_cases,
    mean_squares,
    random_readers_fixed_cases,
    random_readers_random_cases,
)
from analysis.mrmc_power import or_power, or_sample_size

__all__ = [
    "ALPHA",
    "COLUMNS",
    "DESIGNS",
    "Analysis",
    "Covariances",
    "Design",
    "Estimate",
    "MRMCResult",
    "accuracy",
    "auc",
    "or_hillis",
    "or_power",
    "or_sample_size",
]

Design = Literal["crossed", "cases_nested_in_modality", "partially_paired"]
DESIGNS: tuple[str, ...] = ("crossed", "cases_nested_in_modality", "partially_paired")
COLUMNS = ("reader", "modality", "case", "truth", "score")


@dataclass(frozen=True)
class _Layout:
    """The readings as arrays: N study cases, I modalities, J readers."""

    modalities: list[str]
    readers: list[str]
    truth: np.ndarray  # (N,)
    scores: list[np.ndarray]  # per modality (J, N); cells not read are never used
    read: np.ndarray  # (I, J, N): reader j read case c in modality i


def _check_truths(
    truth: pd.Series, m_idx: np.ndarray, c_idx: np.ndarray, m_labels: pd.Index, cells: int
) -> None:
    """One truth per case: within each modality, and across the modalities."""
    t_idx, _ = pd.factorize(truth)
    n_cases = cells // len(m_labels)
    for key, size, where in (
        (m_idx * n_cases + c_idx, cells, "in modality"),
        (c_idx, n_cases, "in two modalities"),
    ):
        low, high = np.full(size, t_idx.max() + 1), np.full(size, -1)
        np.minimum.at(low, key, t_idx)
        np.maximum.at(high, key, t_idx)
        clash = np.flatnonzero((high >= 0) & (low != high))
        if len(clash):
            if where == "in modality":
                where += f" {str(m_labels[int(clash[0]) // n_cases])!r}"
            raise ValueError(f"a case has two different truths {where}")


def _reader_groups(read: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct case sets (G, N) of one modality's readers and each reader's set (J,)."""
    if (read == read[:1]).all():
        return read[:1], np.zeros(len(read), dtype=np.int64)
    packed = np.ascontiguousarray(np.packbits(read, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return read[first], inverse.ravel()


def _layout(df: pd.DataFrame, design: str) -> _Layout:
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"MRMC input lacks columns: {', '.join(missing)}")
    if df.empty:
        raise ValueError("MRMC input has no rows")
    if df.duplicated(["reader", "modality", "case"]).any():
        raise ValueError("a reader has more than one score for a case in a modality")
    m_idx, m_labels = pd.factorize(df["modality"], sort=True)
    r_idx, r_labels = pd.factorize(df["reader"], sort=True)
    c_idx, c_labels = pd.factorize(df["case"], sort=True)
    modalities, readers = [str(m) for m in m_labels], [str(r) for r in r_labels]
    n_mod, n_rdr, n_cases = len(modalities), len(readers), len(c_labels)
    _check_truths(df["truth"], m_idx, c_idx, m_labels, n_mod * n_cases)
    truth = np.empty(n_cases, dtype=df["truth"].to_numpy().dtype)
    truth[c_idx] = df["truth"].to_numpy()
    read = np.zeros((n_mod, n_rdr, n_cases), dtype=bool)
    read[m_idx, r_idx, c_idx] = True
    values = df["score"].to_numpy()
    scores = []
    for i in range(n_mod):
        rows = m_idx == i
        matrix = np.zeros((n_rdr, n_cases), dtype=values.dtype)
        matrix[r_idx[rows], c_idx[rows]] = values[rows]
        scores.append(matrix)
    case_sets = read.sum(axis=1) > 0  # (I, N): the cases read in each modality
    if design != "partially_paired":
        for i, modality in enumerate(modalities):
            k = int(case_sets[i].sum())
            if int(read[i].sum()) != n_rdr * k:
                raise ValueError(
                    f"modality {modality!r}: {int(read[i].sum())} scores, expected {n_rdr} "
                    f"readers x {k} cases (every reader must read every case)"
                )
    if design == "crossed" and not (case_sets == case_sets[0]).all():
        raise ValueError(
            "design 'crossed' needs the same cases in every modality; "
            "use design='cases_nested_in_modality' for different cases"
        )
    if design == "cases_nested_in_modality" and (case_sets.sum(axis=0) > 1).any():
        raise ValueError(
            "design 'cases_nested_in_modality' needs different cases in each modality; "
            "use design='partially_paired' when the modalities share cases"
        )
    unread = np.argwhere(~read.any(axis=2))
    if len(unread):
        i, j = unread[0]
        raise ValueError(f"reader {readers[j]!r} has no readings in modality {modalities[i]!r}")
    return _Layout(modalities, readers, truth, scores, read)


def _pseudo_values(
    fom: Callable[..., float], layout: _Layout
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Every reader's FOM per modality (I, J), and per modality the deviations (J, N) of the
    leave-one-study-case-out FOMs from their mean over the N study cases.

    The readers of a modality who read the same cases are jackknifed together; a case a reader
    did not read there leaves their FOM as it is.
    """
    n_mod, n_rdr, n_cases = layout.read.shape
    theta = np.empty((n_mod, n_rdr))
    deviations: list[np.ndarray] = []
    for i in range(n_mod):
        pseudo = np.empty((n_rdr, n_cases))
        case_sets, group = _reader_groups(layout.read[i])
        for g, cases in enumerate(case_sets):
            rows, cols = np.flatnonzero(group == g), np.flatnonzero(cases)
            full, loo = jackknife(fom, layout.truth[cols], layout.scores[i][np.ix_(rows, cols)])
            theta[i, rows] = full
            pseudo[rows] = full[:, None]
            pseudo[np.ix_(rows, cols)] = loo
        deviations.append(pseudo - pseudo.mean(axis=1, keepdims=True))
    return theta, deviations


def _covariances(
    deviations: list[np.ndarray], factor: float, modalities: list[str], *, crossed: bool
) -> tuple[Covariances, dict[str, Covariances]]:
    """The OR error covariances over all modalities, and per modality (Var and Cov2 only)."""
    n_mod, n_rdr = len(modalities), deviations[0].shape[0]
    # Sums of products of jackknife deviations, never the (IJ x IJ) matrix itself:
    # same[i, i'] = sum over readers and cases of D_ij D_i'j; alls[i, i'] = over all reader pairs.
    same = np.zeros((n_mod, n_mod))
    alls = np.zeros((n_mod, n_mod))
    column_sums = [d.sum(axis=0) for d in deviations]
    for a in range(n_mod):
        for b in range(a, n_mod):
            if a != b and not crossed:
                continue  # cases nested in modality: Cov1 = Cov3 = 0, as MRMCaov sets them
            same[a, b] = same[b, a] = factor * float(np.sum(deviations[a] * deviations[b]))
            alls[a, b] = alls[b, a] = factor * float(column_sums[a] @ column_sums[b])

    diag_same, diag_all = np.diag(same), np.diag(alls)
    per_modality = {
        m: Covariances(
            var=diag_same[i] / n_rdr,
            cov1=float("nan"),
            cov2=(diag_all[i] - diag_same[i]) / (n_rdr * (n_rdr - 1)),
            cov3=float("nan"),
        )
        for i, m in enumerate(modalities)
    }
    var = float(diag_same.sum() / (n_mod * n_rdr))
    cov2 = float((diag_all.sum() - diag_same.sum()) / (n_mod * n_rdr * (n_rdr - 1)))
    if n_mod > 1:
        off_same = same.sum() - diag_same.sum()
        off_all = alls.sum() - diag_all.sum()
        cov1 = float(off_same / (n_mod * (n_mod - 1) * n_rdr))
        cov3 = float((off_all - off_same) / (n_mod * (n_mod - 1) * n_rdr * (n_rdr - 1)))
    else:
        cov1 = cov3 = float("nan")
    return Covariances(var=var, cov1=cov1, cov2=cov2, cov3=cov3), per_modality


def or_hillis(df: pd.DataFrame, fom: Callable[..., float], design: str = "crossed") -> MRMCResult:
    """Obuchowski-Rockette analysis with Hillis ddf (see the module's docstring)."""
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, not {design!r}")
    layout = _layout(df, design)
    modalities, readers = layout.modalities, layout.readers
    n_rdr = len(readers)
    if n_rdr < 2:
        raise ValueError("MRMC needs at least two readers")
    n_cases = layout.read.shape[2]
    theta, deviations = _pseudo_values(fom, layout)
    nested = design == "cases_nested_in_modality"
    factor = (n_cases - 1) / n_cases
    cov, per_mod_cov = _covariances(deviations, factor, modalities, crossed=not nested)
    ms = mean_squares(theta, modalities)
    return MRMCResult(
        design=design,
        modalities=modalities,
        readers=readers,
        n_cases={m: int(layout.read[i].any(axis=0).sum()) for i, m in enumerate(modalities)},
        fom=pd.DataFrame(theta.T, index=readers, columns=modalities),
        covariances=cov,
        per_modality_covariances=per_mod_cov,
        ms_t=ms.ms_t,
        ms_r=ms.ms_r,
        ms_tr=ms.ms_tr,
        ms_r_per_modality=ms.ms_r_per_modality,
        random_readers_random_cases=random_readers_random_cases(
            ms, cov, per_mod_cov, modalities, n_rdr
        ),
        fixed_readers_random_cases=fixed_readers_random_cases(
            ms, cov, per_mod_cov, modalities, n_rdr
        ),
        random_readers_fixed_cases=random_readers_fixed_cases(ms, modalities, n_rdr),
        study_cases=n_cases,
        cases_per_reader=float(layout.read.sum(axis=2).mean()),
    )
