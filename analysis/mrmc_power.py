"""Sizing a two-modality MRMC study from a pilot: the OR method's power and number of cases.

The formulas are those of Hillis SL, Obuchowski NA, Berbaum KS (2011) "Power estimation for
multireader ROC methods: an updated and unified approach", Acad Radiol 18:129-142
(doi:10.1016/j.acra.2010.09.007), as RJafroc implements them (github.com/dpc10ster/RJafroc,
R/SsPowerGivenJK.R ``SsPowerGivenJKOrVarCom`` and R/SsSampleSizeKGivenJ.R ``searchNumCasesOR``).
From the pilot's OR components (Var, Cov1, Cov2, Cov3 of its jackknife over K* cases, and
VarTR = MS(T*R) - Var + Cov1 + max(Cov2 - Cov3, 0), Hillis 2011 Eqn 9), for J readers, K cases
and an effect d (the difference of the two modalities' means), with c = K*/K,
VarTR+ = max(VarTR, 0) and D = max(Cov2 - Cov3, 0):

    RRRC: den = VarTR+ + c (Var - Cov1 + (J - 1) D)
          ddf = den^2 (J - 1) / (VarTR+ + c (Var - Cov1 - D))^2
          power = P[F'(1, ddf, ncp) > F_(1-alpha)(1, ddf)],   ncp = (J d^2 / 2) / den
    FRRC: den = c (Var - Cov1 + (J - 1) D);  power = P[chi2'(1, ncp) > chi2_(1-alpha)(1)]
    RRFC: den = VarTR+ + c (Var - Cov1 - D);  power = P[F'(1, J - 1, ncp) > F_(1-alpha)(1, J - 1)]

The sample size is RJafroc's search: K = 2, 3, ... up to 2,000, the first K whose power exceeds
the target (RRRC) or reaches it (FRRC, RRFC). K counts the cases each reader reads in each
modality, in a study of the pilot's design.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import stats as sps

if TYPE_CHECKING:
    from analysis.mrmc_anova import MRMCResult

PowerAnalysis = Literal["RRRC", "FRRC", "RRFC"]
ANALYSES: tuple[str, ...] = ("RRRC", "FRRC", "RRFC")
MAX_CASES = 2000


class SampleSizeNotReached(ValueError):
    """The target power is not reached with ``MAX_CASES`` cases (RJafroc prints ">2000")."""


@dataclass(frozen=True)
class PilotComponents:
    """The OR variance components of a two-modality pilot with ``pilot_cases`` cases."""

    var: float
    cov1: float
    cov2: float
    cov3: float
    var_tr: float
    pilot_cases: float
    effect: float  # the pilot's observed difference, first modality minus second


def pilot_components(pilot: MRMCResult) -> PilotComponents:
    """The components ``or_power`` needs, from a two-modality ``or_hillis`` result."""
    if len(pilot.modalities) != 2:
        raise ValueError(f"a pilot compares two modalities, not {len(pilot.modalities)}")
    c = pilot.covariances
    cases = pilot.cases_per_reader or float(next(iter(pilot.n_cases.values())))
    return PilotComponents(
        var=c.var,
        cov1=c.cov1,
        cov2=c.cov2,
        cov3=c.cov3,
        var_tr=pilot.ms_tr - c.var + c.cov1 + max(c.cov2 - c.cov3, 0.0),
        pilot_cases=cases,
        effect=pilot.differences[0].estimate,
    )


@dataclass(frozen=True)
class PowerDetails:
    power: float
    ncp: float
    ddf: float  # inf for the chi-square of fixed readers
    critical: float
    denominator: float


def power_details(
    pilot: MRMCResult | PilotComponents,
    *,
    readers: int,
    cases: int,
    effect: float,
    alpha: float = 0.05,
    analysis: str = "RRRC",
) -> PowerDetails:
    """The power of the test of two modalities with its non-centrality, ddf and critical value."""
    power, ncp, ddf, critical, den = _power_arrays(
        _components(pilot), readers, np.array([cases]), effect, alpha, analysis
    )
    return PowerDetails(*(float(values[0]) for values in (power, ncp, ddf, critical, den)))


def _components(pilot: MRMCResult | PilotComponents) -> PilotComponents:
    return pilot if isinstance(pilot, PilotComponents) else pilot_components(pilot)


def _power_arrays(
    c: PilotComponents, readers: int, cases: np.ndarray, effect: float, alpha: float, analysis: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if analysis not in ANALYSES:
        raise ValueError(f"analysis must be one of {ANALYSES}, not {analysis!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}")
    j = int(readers)
    if j < 2:
        raise ValueError("a study needs at least two readers")
    if (cases < 1).any():
        raise ValueError("a study needs at least one case")
    scale = c.pilot_cases / cases.astype(float)
    var_tr = max(c.var_tr, 0.0)
    d = max(c.cov2 - c.cov3, 0.0)
    if analysis == "RRRC":
        den = var_tr + scale * (c.var - c.cov1 + (j - 1) * d)
        ddf = den**2 * (j - 1) / (var_tr + scale * (c.var - c.cov1 - d)) ** 2
    elif analysis == "FRRC":
        den = scale * (c.var - c.cov1 + (j - 1) * d)
        ddf = np.full_like(den, np.inf)
    else:
        den = var_tr + scale * (c.var - c.cov1 - d)
        ddf = np.full_like(den, float(j - 1))
    if (den <= 0).any():
        raise ValueError("the pilot's variance components leave no error variance")
    ncp = effect**2 * j / 2 / den
    # No effect is the central distribution (scipy's non-central F is wrong at ncp = 0).
    if analysis == "FRRC":
        critical = np.full_like(den, float(sps.chi2.ppf(1 - alpha, 1)))
        power = np.where(ncp > 0, sps.ncx2.sf(critical, 1, ncp), alpha)
    else:
        critical = sps.f.ppf(1 - alpha, 1, ddf)
        power = np.where(ncp > 0, sps.ncf.sf(critical, 1, ddf, ncp), alpha)
    return np.asarray(power, float), ncp, ddf, np.asarray(critical, float), den


def or_power(
    pilot: MRMCResult | PilotComponents,
    *,
    readers: int,
    cases: int,
    effect: float,
    alpha: float = 0.05,
    analysis: str = "RRRC",
) -> float:
    """Power of the OR test of two modalities with ``readers`` x ``cases`` (RJafroc's
    ``SsPowerGivenJK``, method "OR")."""
    return power_details(
        pilot, readers=readers, cases=cases, effect=effect, alpha=alpha, analysis=analysis
    ).power


def power_by_cases(
    pilot: MRMCResult | PilotComponents,
    *,
    readers: int,
    cases: np.ndarray,
    effect: float,
    alpha: float = 0.05,
    analysis: str = "RRRC",
) -> np.ndarray:
    """The power for each number of cases in ``cases`` (one vectorised call)."""
    power, *_ = _power_arrays(
        _components(pilot), readers, np.asarray(cases, dtype=np.int64), effect, alpha, analysis
    )
    return power


def or_sample_size(
    pilot: MRMCResult | PilotComponents,
    *,
    readers: int,
    effect: float,
    power: float = 0.8,
    alpha: float = 0.05,
    analysis: str = "RRRC",
) -> tuple[int, float]:
    """The smallest number of cases (2, 3, ... up to 2,000) that gives ``power``, and its power
    (RJafroc's ``SsSampleSizeKGivenJ``: RRRC needs more than the target, FRRC and RRFC at least
    the target). Raises ``SampleSizeNotReached`` when 2,000 cases do not suffice."""
    if not 0 < power < 1:
        raise ValueError(f"the target power must be between 0 and 1, not {power}")
    cases = np.arange(2, MAX_CASES + 1)
    powers = power_by_cases(
        pilot, readers=readers, cases=cases, effect=effect, alpha=alpha, analysis=analysis
    )
    enough = powers > power if analysis == "RRRC" else powers >= power
    if not enough.any():
        raise SampleSizeNotReached(
            f"{readers} readers do not reach a power of {power:g} with {MAX_CASES} cases"
        )
    first = int(np.argmax(enough))
    return int(cases[first]), float(powers[first])
