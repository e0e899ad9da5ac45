"""The Obuchowski-Rockette tests from the readers' figures of merit and their covariances.

The results of ``analysis.mrmc.or_hillis`` (``MRMCResult`` and its parts) and the three
analyses it runs on a reader-by-modality table of FOMs and the OR error covariances:

- random readers and random cases (RRRC), Hillis (2007) denominator degrees of freedom;
- fixed readers, random cases (FRRC): chi-square;
- random readers, fixed cases (RRFC): the conventional reader-by-modality ANOVA.

References: Obuchowski NA, Rockette HE (1995) Commun Stat Simul Comput 24:285-308; Hillis SL
(2007) Stat Med 26:596-619.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

ALPHA = 0.05


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
    # All the distinct cases of the data, and the mean number each reader read per modality
    # (the crossed design: both are the cases; cases nested in modality: N and K_i).
    study_cases: int = 0
    cases_per_reader: float = 0.0

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


@dataclass(frozen=True)
class MeanSquares:
    """The reader-by-modality ANOVA of the FOMs, with its degrees of freedom."""

    modality_means: np.ndarray  # (I,)
    ms_t: float  # modality
    ms_r: float  # reader
    ms_tr: float  # modality x reader
    ms_r_per_modality: dict[str, float]  # reader, within each modality
    df_t: int
    df_r: int
    df_tr: int


def mean_squares(theta: np.ndarray, modalities: list[str]) -> MeanSquares:
    n_mod, n_rdr = theta.shape
    mod_means = theta.mean(axis=1)
    rdr_means = theta.mean(axis=0)
    grand = float(theta.mean())
    df_t, df_r = n_mod - 1, n_rdr - 1
    df_tr = df_t * df_r
    nan = float("nan")
    interaction = theta - mod_means[:, None] - rdr_means[None, :] + grand
    return MeanSquares(
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


def random_readers_random_cases(
    ms: MeanSquares,
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


def fixed_readers_random_cases(
    ms: MeanSquares,
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


def random_readers_fixed_cases(ms: MeanSquares, modalities: list[str], n_rdr: int) -> Analysis:
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
