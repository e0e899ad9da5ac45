"""MRMC of the figures GPs care about, for one comparison without vs with the AI (no Django).

Which OR analysis fits follows from who read which images (``design_for``), and each figure is
analysed on the cases it is defined on:

- accuracy, on all cases: the share answered right (a timeout is wrong);
- balanced accuracy, on all cases: the mean over the classes present of each one's share right;
- sensitivity, on the malignant cases (mel, bcc, akiec): the share called malignant;
- specificity, on the benign cases: the share called benign;
- the confidence AUC, on all cases, where "How sure are you?" was asked in both phases: the
  empirical AUC of malignant vs benign, rating each reading by its call and its confidence on
  a 1..10 scale (``fom.malignancy_rating``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import fom, mrmc
from analysis import frames as F

WITHOUT, WITH = "without AI", "with AI"


def gettext_noop(message: str) -> str:
    """Marks a text for the catalogue (makemessages knows the name); pages translate it when
    they show it. This module stays free of Django."""
    return message


@dataclass(frozen=True)
class DesignChoice:
    """The OR analysis that fits a comparison's layout, the model it assumes and its source."""

    design: str  # one of mrmc.DESIGNS
    model: str
    source: str


DESIGNS_TEXT: dict[str, DesignChoice] = {
    "crossed": DesignChoice(
        "crossed",
        gettext_noop(
            "Readers and cases crossed with the modalities: every reader read the same images "
            "without and with the AI. Obuchowski-Rockette model, jackknife covariances, Hillis "
            "denominator degrees of freedom."
        ),
        "Obuchowski & Rockette (1995) Commun Stat Simul Comput 24:285-308; Hillis (2007) "
        "Stat Med 26:596-619.",
    ),
    "cases_nested_in_modality": DesignChoice(
        "cases_nested_in_modality",
        gettext_noop(
            "Cases nested within modality: each phase showed its own images, so a case is read "
            "in one modality only. Obuchowski-Rockette model with Cov1 = Cov3 = 0 and the "
            "jackknife over all the study's cases, as MRMCaov defines its design 3."
        ),
        "Smith & Hillis (2020) Proc SPIE 11316:113160K (MRMCaov, R package 0.3.0); Hillis "
        "(2014) Stat Med 33:330-360.",
    ),
    "partially_paired": DesignChoice(
        "partially_paired",
        gettext_noop(
            "Counterbalanced image sets: each reader read one set without and the other with the "
            "AI, the sets swapped for half the readers; per reader the cases are nested within "
            "modality, across readers every case is read in both. A split-plot-like layout, "
            "analysed with the Obuchowski-Rockette model, jackknife covariances over all the "
            "study's cases and the crossed formulas, as MRMCaov analyses partially paired "
            "factorial data (Cov1 is 0 by design: a reader's two modalities share no case)."
        ),
        "Obuchowski, Gallas & Hillis (2012) Acad Radiol 19:1508-1517 (split-plot designs); "
        "Hillis (2014) Stat Med 33:330-360; Smith & Hillis (2020) Proc SPIE 11316:113160K.",
    ),
}


@dataclass(frozen=True)
class FigureMRMC:
    figure: str
    cases: str  # which cases the figure is computed on
    result: mrmc.MRMCResult | None
    note: str


@dataclass(frozen=True)
class _Figure:
    name: str
    cases: str
    fom: Callable[..., float]
    keep: Callable[[np.ndarray], np.ndarray]  # truth indices -> the cases it is defined on
    rating: bool = False  # scored by the malignancy rating instead of the answer


_ALL = lambda truth: np.ones(len(truth), dtype=bool)  # noqa: E731 - a table of small rules
FIGURES: tuple[_Figure, ...] = (
    _Figure("accuracy", "all", fom.accuracy, _ALL),
    _Figure("balanced accuracy", "all", fom.balanced_accuracy, _ALL),
    _Figure("sensitivity", "malignant", fom.sensitivity, lambda t: fom.malignant_truth(t) == 1),
    _Figure("specificity", "benign", fom.specificity, lambda t: fom.malignant_truth(t) == 0),
    _Figure("confidence AUC", "all", fom.auc, _ALL, rating=True),
)


def _long(without: pd.DataFrame, with_hint: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat([without, with_hint], ignore_index=True)
    confidence = (
        both[F.CONFIDENCE] if F.CONFIDENCE in both.columns else pd.Series(np.nan, both.index)
    )
    image_set = both[F.IMAGE_SET] if F.IMAGE_SET in both.columns else pd.Series("", both.index)
    # Readers and cases as categoricals: every figure's analysis groups them by their codes.
    return pd.DataFrame(
        {
            "reader": both[F.READER].astype(str).astype("category"),
            "modality": np.where(both[F.PHASE_KIND] == F.HINT, WITH, WITHOUT),
            "case": both[F.IMAGE].astype(str).astype("category"),
            "image_set": image_set.fillna("").astype(str).to_numpy(),
            # Diagnosis indices; a timeout (NO_ANSWER) never equals a truth.
            "truth": F.code_index(both[F.TRUTH]),
            "score": F.code_index(both[F.ANSWER]),
            "confidence": pd.to_numeric(confidence, errors="coerce").to_numpy(dtype=float),
        }
    )


def complete_readers(long: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Only readers who read all their cases in both modalities (every image of the phase, or
    all of one image set of a counterbalanced phase) enter a complete MRMC design."""
    need = long.groupby(["modality", "image_set"])["case"].nunique()
    done = long.groupby(["reader", "modality", "image_set"])["case"].nunique().rename("n")
    done = done.reset_index()
    wanted = pd.MultiIndex.from_frame(done[["modality", "image_set"]])
    done["full"] = done["n"].to_numpy() == need.reindex(wanted).to_numpy()
    per = done.groupby(["reader", "modality"]).agg(sets=("n", "size"), full=("full", "all"))
    fine = per[(per["sets"] == 1) & per["full"]].reset_index()
    both = fine.groupby("reader")["modality"].nunique()
    ok = both.index[both == 2]
    return long[long["reader"].isin(ok)], long["reader"].nunique() - len(ok)


def design_for(long: pd.DataFrame) -> DesignChoice:
    """Crossed when every reader read every image in both modalities; cases nested within
    modality when the two modalities share no image; partially paired otherwise. (Counted, not
    compared set by set: each reader read all their cases once, see ``complete_readers``.)"""
    cases = long["case"].nunique()
    per_modality = long.groupby("modality")["case"].nunique()
    readers = long["reader"].nunique()
    if (per_modality == cases).all() and len(long) == readers * len(per_modality) * cases:
        return DESIGNS_TEXT["crossed"]
    if int(per_modality.sum()) == cases:
        return DESIGNS_TEXT["cases_nested_in_modality"]
    return DESIGNS_TEXT["partially_paired"]


def _figure(long: pd.DataFrame, figure: _Figure, design: str) -> FigureMRMC:
    rows = long[figure.keep(long["truth"].to_numpy())]
    if figure.rating:
        rows = rows.assign(
            truth=fom.malignant_truth(rows["truth"].to_numpy()),
            score=fom.malignancy_rating(rows["score"].to_numpy(), rows["confidence"].to_numpy()),
        )
    n = rows["case"].nunique()
    try:
        result = mrmc.or_hillis(rows, figure.fom, design=design)
    except ValueError as error:  # too few cases of a kind loses this figure, not the report
        return FigureMRMC(figure.name, figure.cases, None, f"skipped: {error}")
    return FigureMRMC(figure.name, figure.cases, result, f"{n} cases")


def figures_mrmc(
    without: pd.DataFrame, with_hint: pd.DataFrame
) -> tuple[DesignChoice | None, list[FigureMRMC], str]:
    """Every figure's OR-Hillis analysis of one comparison, with the design that fits and a note
    on the readers; the confidence AUC only where the confidence was asked in both phases."""
    long = _long(without, with_hint)
    long, dropped = complete_readers(long)
    readers = long["reader"].nunique()
    if readers < 2:
        return None, [], "MRMC skipped: fewer than two readers finished both phases."
    choice = design_for(long)
    note = f"design {choice.design}; {readers} readers"
    if dropped:
        note += f" ({dropped} who did not finish both phases left out)"
    asked = long.groupby("modality")["confidence"].count()
    figures = [
        _figure(long, figure, choice.design)
        for figure in FIGURES
        if not figure.rating or (asked.reindex([WITHOUT, WITH]).fillna(0) > 0).all()
    ]
    return choice, figures, note
