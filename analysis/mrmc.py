"""Multi-reader multi-case analysis: Obuchowski-Rockette with Hillis degrees of freedom.

``or_hillis(df, fom, design)`` takes a long DataFrame (``reader, modality, case, truth, score``),
computes the figure of merit of every reader in every modality and its jackknife over cases,
and from those the OR covariances (Var, Cov1: same reader / other modality, Cov2: other reader /
same modality, Cov3: other reader / other modality) and three analyses:

- random readers and random cases (RRRC), Hillis (2007) denominator degrees of freedom;
- fixed readers, random cases (FRRC): chi-square;
- random readers, fixed cases (RRFC): the conventional reader-by-modality ANOVA.

Designs: ``"crossed"`` (every reader reads every case in every modality) and
``"cases_nested_in_modality"`` (each modality has its own cases, as in a contest whose AI phase
shows new images): there the cases of different modalities are independent, so Cov1 = Cov3 = 0
and each modality is jackknifed over its own cases.

References: Obuchowski NA, Rockette HE (1995) Commun Stat Simul Comput 24:285-308; Hillis SL
(2007) Stat Med 26:596-619. Checked against the OR-DBM MRMC 2.5 output for the Van Dyke data.

Any ``fom(truth, score) -> float`` works; it is called (cases + 1) times per reader and
modality. A fom with a ``jackknife(truth, scores) -> (full, leave_one_out)`` attribute taking
all readers at once (``scores`` of shape (readers, cases)) is used instead, which is what makes
thousands of readers fast: ``accuracy`` and ``auc`` below have one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

Design = Literal["crossed", "cases_nested_in_modality"]
DESIGNS: tuple[str, ...] = ("crossed", "cases_nested_in_modality")
COLUMNS = ("reader", "modality", "case", "truth", "score")
ALPHA = 0.05


# ---------------------------------------------------------------- figures of merit


def accuracy(truth: np.ndarray, score: np.ndarray) -> float:
    """Share of readings whose score (the answer) equals the truth; missing answers are wrong."""
    return float(np.mean(np.asarray(truth) == np.asarray(score)))


def _accuracy_jackknife(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hit = (scores == truth[None, :]).astype(float)
    k = hit.shape[1]
    total = hit.sum(axis=1)
    return total / k, (total[:, None] - hit) / (k - 1)


accuracy.jackknife = _accuracy_jackknife  # type: ignore[attr-defined]  # or_hillis's fast path


def auc(truth: np.ndarray, score: np.ndarray) -> float:
    """Empirical (trapezoidal) area under the ROC curve: truth 1 = diseased, ties count 1/2."""
    full, _ = _auc_jackknife(np.asarray(truth), np.asarray(score, dtype=float)[None, :])
    return float(full[0])


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


auc.jackknife = _auc_jackknife  # type: ignore[attr-defined]  # or_hillis's fast path


def _jackknife(
    fom: Callable[..., float], truth: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """FOM of every reader (J,) and its leave-one-case-out values (J, K)."""
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


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Covariances:
    var: float
    cov1: float
    cov2: float
    cov3: float


@dataclass(frozen=True)
class Estimate:
    """A modality's FOM averaged over readers (or a difference of two), with its interval."""

    name: str
    estimate: float
    se: float
    df: float  # inf for a normal interval
    ci_low: float
    ci_high: float
    p: float = float("nan")  # two-sided, differences only


@dataclass(frozen=True)
class Analysis:
    """One of RRRC, FRRC, RRFC: the overall test, per-modality estimates, pairwise differences."""

    name: str
    statistic: float  # F, or chi-square for fixed readers
    df1: float
    df2: float  # inf for the chi-square test
    p: float
    error_term: float
    modalities: list[Estimate]
    differences: list[Estimate]


@dataclass(frozen=True)
class MRMCResult:
    design: str
    modalities: list[str]
    readers: list[str]
    n_cases: dict[str, int]
    fom: pd.DataFrame  # reader x modality
    covariances: Covariances
    per_modality_covariances: dict[str, Covariances]
    ms_t: float
    ms_r: float
    ms_tr: float
    ms_r_per_modality: dict[str, float]
    random_readers_random_cases: Analysis
    fixed_readers_random_cases: Analysis
    random_readers_fixed_cases: Analysis
    extra: dict[str, Any] = field(default_factory=dict)

    # The headline test is random readers and cases.
    @property
    def F(self) -> float:
        return self.random_readers_random_cases.statistic

    @property
    def ddf(self) -> float:
        return self.random_readers_random_cases.df2

    @property
    def p(self) -> float:
        return self.random_readers_random_cases.p

    @property
    def estimates(self) -> list[Estimate]:
        return self.random_readers_random_cases.modalities

    @property
    def differences(self) -> list[Estimate]:
        return self.random_readers_random_cases.differences


# ---------------------------------------------------------------- the analysis


def _t_interval(name: str, estimate: float, se: float, df: float, *, p: bool = False) -> Estimate:
    se, df = float(se), float(df)
    if not np.isfinite(se) or not df > 0:
        nan = float("nan")
        return Estimate(name, estimate, se, df, nan, nan, nan)
    if np.isinf(df):
        half = float(sps.norm.ppf(1 - ALPHA / 2)) * se
        pvalue = 2 * float(sps.norm.sf(abs(estimate) / se)) if se > 0 else float("nan")
    else:
        half = float(sps.t.ppf(1 - ALPHA / 2, df)) * se
        pvalue = 2 * float(sps.t.sf(abs(estimate) / se, df)) if se > 0 else float("nan")
    return Estimate(
        name, estimate, se, df, estimate - half, estimate + half, pvalue if p else float("nan")
    )


def _arrays(
    df: pd.DataFrame, design: str
) -> tuple[list[str], list[str], list[tuple[np.ndarray, np.ndarray]], list[int]]:
    """Per modality: truth (K_i,) and scores (J, K_i); every reader must read every case once."""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"MRMC input lacks columns: {', '.join(missing)}")
    if df.empty:
        raise ValueError("MRMC input has no rows")
    if df.duplicated(["reader", "modality", "case"]).any():
        raise ValueError("a reader has more than one score for a case in a modality")
    m_idx, modalities = pd.factorize(df["modality"], sort=True)
    r_idx, readers = pd.factorize(df["reader"], sort=True)
    n_readers = len(readers)
    per_modality: list[tuple[np.ndarray, np.ndarray]] = []
    sizes: list[int] = []
    case_sets: list[set[object]] = []
    for i, modality in enumerate(modalities):
        rows = m_idx == i
        sub = df.loc[rows]
        c_idx, cases = pd.factorize(sub["case"], sort=True)
        truth_per_case = sub.groupby(c_idx)["truth"].nunique()
        if (truth_per_case > 1).any():
            raise ValueError(f"a case has two different truths in modality {modality!r}")
        n_cases = len(cases)
        if len(sub) != n_readers * n_cases:
            raise ValueError(
                f"modality {modality!r}: {len(sub)} scores, expected {n_readers} readers x "
                f"{n_cases} cases (every reader must read every case)"
            )
        scores = np.empty((n_readers, n_cases), dtype=sub["score"].to_numpy().dtype)
        scores[r_idx[rows], c_idx] = sub["score"].to_numpy()
        truth = np.empty(n_cases, dtype=sub["truth"].to_numpy().dtype)
        truth[c_idx] = sub["truth"].to_numpy()
        per_modality.append((truth, scores))
        sizes.append(n_cases)
        case_sets.append(set(cases))  # sorted by factorize: crossed deviations line up
    if design == "crossed" and any(s != case_sets[0] for s in case_sets[1:]):
        raise ValueError(
            "design 'crossed' needs the same cases in every modality; "
            "use design='cases_nested_in_modality' for different cases"
        )
    return [str(m) for m in modalities], [str(r) for r in readers], per_modality, sizes


def _jackknife_modalities(
    fom: Callable[..., float], per_modality: list[tuple[np.ndarray, np.ndarray]], n_readers: int
) -> tuple[np.ndarray, list[np.ndarray], list[float]]:
    """Every reader's FOM per modality (I, J); per modality, the jackknife deviations of the
    leave-one-case-out FOMs from their reader's mean (J, K_i) and the factor (K_i - 1) / K_i."""
    theta = np.empty((len(per_modality), n_readers))
    deviations: list[np.ndarray] = []
    factors: list[float] = []
    for i, (truth, scores) in enumerate(per_modality):
        full, loo = _jackknife(fom, truth, scores)
        theta[i] = full
        deviations.append(loo - loo.mean(axis=1, keepdims=True))
        k = scores.shape[1]
        factors.append((k - 1) / k)
    return theta, deviations, factors


def _covariances(
    deviations: list[np.ndarray], factors: list[float], modalities: list[str], *, crossed: bool
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
                continue  # independent cases: no covariance across modalities
            f = np.sqrt(factors[a] * factors[b])
            same[a, b] = same[b, a] = f * float(np.sum(deviations[a] * deviations[b]))
            alls[a, b] = alls[b, a] = f * float(column_sums[a] @ column_sums[b])

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


@dataclass(frozen=True)
class _MeanSquares:
    """The reader-by-modality ANOVA of the FOMs, with its degrees of freedom."""

    modality_means: np.ndarray  # (I,)
    ms_t: float  # modality
    ms_r: float  # reader
    ms_tr: float  # modality x reader
    ms_r_per_modality: dict[str, float]  # reader, within each modality
    df_t: int
    df_r: int
    df_tr: int


def _mean_squares(theta: np.ndarray, modalities: list[str]) -> _MeanSquares:
    n_mod, n_rdr = theta.shape
    mod_means = theta.mean(axis=1)
    rdr_means = theta.mean(axis=0)
    grand = float(theta.mean())
    df_t, df_r = n_mod - 1, n_rdr - 1
    df_tr = df_t * df_r
    nan = float("nan")
    interaction = theta - mod_means[:, None] - rdr_means[None, :] + grand
    return _MeanSquares(
        modality_means=mod_means,
        ms_t=n_rdr * float(((mod_means - grand) ** 2).sum()) / df_t if df_t else nan,
        ms_r=n_mod * float(((rdr_means - grand) ** 2).sum()) / df_r,
        ms_tr=float((interaction**2).sum()) / df_tr if df_tr else nan,
        ms_r_per_modality={m: float(theta[i].var(ddof=1)) for i, m in enumerate(modalities)},
        df_t=df_t,
        df_r=df_r,
        df_tr=df_tr,
    )


def _differences(modalities: list[str], means: np.ndarray, se: float, df: float) -> list[Estimate]:
    """Every pair of modalities (first minus second), with one SE and df for all of them."""
    return [
        _t_interval(
            f"{modalities[a]} - {modalities[b]}", float(means[a] - means[b]), se, df, p=True
        )
        for a, b in combinations(range(len(modalities)), 2)
    ]


def _random_readers_random_cases(
    ms: _MeanSquares,
    cov: Covariances,
    per_modality: dict[str, Covariances],
    modalities: list[str],
    n_rdr: int,
) -> Analysis:
    """The F test with Hillis ddf; each modality alone with its own Hillis df."""
    nan = float("nan")
    df_t, ms_tr = ms.df_t, ms.ms_tr
    den = ms_tr + n_rdr * max(cov.cov2 - cov.cov3, 0.0) if df_t else nan
    f = ms.ms_t / den if df_t and den > 0 else nan
    ddf = den**2 / (ms_tr**2 / ms.df_tr) if df_t and ms_tr > 0 else nan
    single = []
    for i, m in enumerate(modalities):
        ms_r_i = ms.ms_r_per_modality[m]
        den_i = ms_r_i + n_rdr * max(per_modality[m].cov2, 0.0)
        df_i = den_i**2 / (ms_r_i**2 / ms.df_r) if ms_r_i > 0 else float("inf")
        mean = float(ms.modality_means[i])
        single.append(_t_interval(m, mean, float(np.sqrt(den_i / n_rdr)), df_i))
    return Analysis(
        name="random readers, random cases",
        statistic=f,
        df1=df_t,
        df2=ddf,
        p=float(sps.f.sf(f, df_t, ddf)) if np.isfinite(f) and np.isfinite(ddf) else nan,
        error_term=den,
        modalities=single,
        differences=_differences(modalities, ms.modality_means, np.sqrt(2 * den / n_rdr), ddf),
    )


def _fixed_readers_random_cases(
    ms: _MeanSquares,
    cov: Covariances,
    per_modality: dict[str, Covariances],
    modalities: list[str],
    n_rdr: int,
) -> Analysis:
    """The chi-square test; normal intervals."""
    nan, inf = float("nan"), float("inf")
    df_t = ms.df_t
    den = cov.var - cov.cov1 + (n_rdr - 1) * max(cov.cov2 - cov.cov3, 0.0) if df_t else nan
    chi = df_t * ms.ms_t / den if df_t and den > 0 else nan
    single = []
    for i, m in enumerate(modalities):
        c = per_modality[m]
        se_i = float(np.sqrt((c.var + (n_rdr - 1) * max(c.cov2, 0.0)) / n_rdr))
        single.append(_t_interval(m, float(ms.modality_means[i]), se_i, inf))
    return Analysis(
        name="fixed readers, random cases",
        statistic=chi,
        df1=df_t,
        df2=inf,
        p=float(sps.chi2.sf(chi, df_t)) if np.isfinite(chi) else nan,
        error_term=den,
        modalities=single,
        differences=_differences(modalities, ms.modality_means, np.sqrt(2 * den / n_rdr), inf),
    )


def _random_readers_fixed_cases(ms: _MeanSquares, modalities: list[str], n_rdr: int) -> Analysis:
    """The conventional reader-by-modality ANOVA: F = MS(T) / MS(T*R)."""
    nan = float("nan")
    df_t, df_tr, ms_tr = ms.df_t, ms.df_tr, ms.ms_tr
    f = ms.ms_t / ms_tr if df_t and ms_tr > 0 else nan
    single = [
        _t_interval(
            m,
            float(ms.modality_means[i]),
            np.sqrt(ms.ms_r_per_modality[m] / n_rdr),
            ms.df_r,
        )
        for i, m in enumerate(modalities)
    ]
    return Analysis(
        name="random readers, fixed cases",
        statistic=f,
        df1=df_t,
        df2=df_tr,
        p=float(sps.f.sf(f, df_t, df_tr)) if np.isfinite(f) else nan,
        error_term=ms_tr,
        modalities=single,
        differences=_differences(modalities, ms.modality_means, np.sqrt(2 * ms_tr / n_rdr), df_tr),
    )


def or_hillis(df: pd.DataFrame, fom: Callable[..., float], design: str = "crossed") -> MRMCResult:
    """Obuchowski-Rockette analysis with Hillis ddf (see the module's docstring)."""
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, not {design!r}")
    modalities, readers, per_modality, sizes = _arrays(df, design)
    n_rdr = len(readers)
    if n_rdr < 2:
        raise ValueError("MRMC needs at least two readers")
    theta, deviations, factors = _jackknife_modalities(fom, per_modality, n_rdr)
    cov, per_mod_cov = _covariances(deviations, factors, modalities, crossed=design == "crossed")
    ms = _mean_squares(theta, modalities)
    return MRMCResult(
        design=design,
        modalities=modalities,
        readers=readers,
        n_cases=dict(zip(modalities, sizes, strict=True)),
        fom=pd.DataFrame(theta.T, index=readers, columns=modalities),
        covariances=cov,
        per_modality_covariances=per_mod_cov,
        ms_t=ms.ms_t,
        ms_r=ms.ms_r,
        ms_tr=ms.ms_tr,
        ms_r_per_modality=ms.ms_r_per_modality,
        random_readers_random_cases=_random_readers_random_cases(
            ms, cov, per_mod_cov, modalities, n_rdr
        ),
        fixed_readers_random_cases=_fixed_readers_random_cases(
            ms, cov, per_mod_cov, modalities, n_rdr
        ),
        random_readers_fixed_cases=_random_readers_fixed_cases(ms, modalities, n_rdr),
    )
