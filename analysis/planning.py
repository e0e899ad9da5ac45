"""Planning a study from a pilot: a readers x cases power table, the cases each number of readers
needs, and power curves, for a chosen effect (no Django; the formulas in ``analysis.mrmc_power``).

A pilot is a two-modality ``or_hillis`` result: a finished or pilot study's comparison without
vs with the AI (accuracy), or the Van Dyke example (AUC, 5 readers, 114 cases) that RJafroc's
sample-size vignettes work through. The effect defaults to the pilot's observed difference,
shown with its 95% confidence interval (random readers and cases).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import mrmc, mrmc_power
from analysis.readings_report import StudyReport

VAN_DYKE = Path(__file__).parent / "data" / "VanDyke.csv"
DEFAULT_READERS: tuple[int, ...] = (4, 6, 8, 10, 15, 20)
DEFAULT_CASES: tuple[int, ...] = (25, 50, 100, 150, 200, 300)


@dataclass(frozen=True)
class Pilot:
    name: str
    figure: str
    result: mrmc.MRMCResult

    @property
    def difference(self) -> mrmc.Estimate:
        """The observed difference (first modality minus second, as ``or_hillis`` names it)."""
        return self.result.differences[0]


def van_dyke_pilot() -> Pilot:
    """Van Dyke et al. (1993), cine vs spin-echo MRI, as published with RJafroc (GPL-3)."""
    frame = pd.read_csv(VAN_DYKE).rename(columns={"treatment": "modality", "rating": "score"})
    result = mrmc.or_hillis(frame, mrmc.auc, design="crossed")
    return Pilot("Van Dyke et al. (1993): 5 readers, 114 cases, two MRI sequences", "AUC", result)


def pilot_from_report(report: StudyReport, *, title: str) -> Pilot | None:
    """The study's first comparison without vs with the AI, its accuracy MRMC; None if none."""
    for comparison in report.comparisons:
        if comparison.mrmc is not None and len(comparison.mrmc.modalities) == 2:
            name = f"{title}: {comparison.without} vs {comparison.with_hint}"
            return Pilot(name, "accuracy", comparison.mrmc)
    return None


@dataclass(frozen=True)
class Plan:
    pilot: Pilot
    effect: float
    alpha: float
    analysis: str
    target: float
    table: pd.DataFrame  # power: one row per number of readers, one column per number of cases
    sizes: pd.DataFrame  # readers, cases needed for the target power, that power
    curve_cases: np.ndarray
    curves: dict[int, np.ndarray] = field(default_factory=dict)


def plan_study(
    pilot: Pilot,
    *,
    effect: float | None = None,
    alpha: float = 0.05,
    analysis: str = "RRRC",
    target: float = 0.8,
    readers: tuple[int, ...] = DEFAULT_READERS,
    cases: tuple[int, ...] = DEFAULT_CASES,
) -> Plan:
    """Power for every readers x cases, the cases each number of readers needs, the curves."""
    if not readers or not cases:
        raise ValueError("name at least one number of readers and one of cases")
    chosen = pilot.difference.estimate if effect is None else float(effect)
    components = mrmc_power.pilot_components(pilot.result)
    table = pd.DataFrame(
        [
            mrmc_power.power_by_cases(
                components,
                readers=j,
                cases=np.asarray(cases),
                effect=chosen,
                alpha=alpha,
                analysis=analysis,
            )
            for j in readers
        ],
        index=pd.Index(readers, name="readers"),
        columns=[str(k) for k in cases],
    )
    sizes = []
    for j in readers:
        try:
            k, power = mrmc_power.or_sample_size(
                components, readers=j, effect=chosen, power=target, alpha=alpha, analysis=analysis
            )
        except mrmc_power.SampleSizeNotReached:
            k, power = None, float("nan")
        sizes.append({"readers": j, "cases": k, "power": power})
    curve_cases = np.unique(np.linspace(5, max(max(cases) * 1.5, 50), 60).astype(int))
    curves = {
        j: mrmc_power.power_by_cases(
            components, readers=j, cases=curve_cases, effect=chosen, alpha=alpha, analysis=analysis
        )
        for j in readers
    }
    return Plan(
        pilot=pilot,
        effect=chosen,
        alpha=alpha,
        analysis=analysis,
        target=target,
        table=table,
        sizes=pd.DataFrame(sizes),
        curve_cases=curve_cases,
        curves=curves,
    )
