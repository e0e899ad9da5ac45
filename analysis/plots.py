"""The report's figures (matplotlib, object API: no pyplot state, safe in web workers).

Each function returns a ``Figure``; ``to_svg`` gives text for pages, ``to_png``/``to_svg`` the
downloads. Class order and labels follow ``lesions.codes.DIAGNOSES``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from analysis.readings_report import StudyReport

# The one plotter of training curves; the DNN page draws every run's through this name.
from classifier.charts import training_curves as training_curves
from lesions.codes import DIAGNOSES

matplotlib.use("Agg")

COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3")


def to_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "report", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()


def to_png(figure: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def confusion_matrix(counts: np.ndarray, title: str, *, normalise: bool = False) -> Figure:
    """Counts (7, 8) or (7, 7): rows truth, columns answer (+ timeouts when there are any)."""
    c = np.asarray(counts, dtype=float)
    columns = list(DIAGNOSES)
    if c.shape[1] == len(DIAGNOSES) + 1:
        if c[:, -1].sum() > 0:
            columns.append("timeout")
        else:
            c = c[:, :-1]
    values = c
    if normalise:
        totals = c.sum(axis=1, keepdims=True)
        values = np.divide(c, totals, out=np.zeros_like(c), where=totals > 0)
    figure = Figure(figsize=(5.2, 4.4))
    ax = figure.subplots()
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if normalise else None)
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(len(columns)), columns, rotation=45, ha="right")
    ax.set_yticks(range(len(DIAGNOSES)), DIAGNOSES)
    ax.set_xlabel("answer")
    ax.set_ylabel("true diagnosis")
    ax.set_title(title + (" (row share)" if normalise else " (counts)"))
    top = values.max() if values.size else 0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            text = f"{values[i, j]:.2f}" if normalise else f"{int(c[i, j])}"
            dark = top and values[i, j] > 0.6 * top
            ax.text(
                j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black"
            )
    return figure


def per_class_tpr(series: Mapping[str, ArrayLike], title: str = "TPR per class") -> Figure:
    """Grouped bars: one group per diagnosis, one bar per series (GPs, GPs + AI, DNN...)."""
    figure = Figure(figsize=(7, 3.6))
    ax = figure.subplots()
    n = max(len(series), 1)
    width = 0.8 / n
    x = np.arange(len(DIAGNOSES))
    for k, (label, values) in enumerate(series.items()):
        v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
        ax.bar(x + (k - (n - 1) / 2) * width, v, width, label=label, color=COLOURS[k % 7])
    ax.set_xticks(x, DIAGNOSES)
    ax.set_ylim(0, 1)
    ax.set_ylabel("true positive rate")
    ax.set_title(title)
    # Beside the bars, never over them.
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def paired_accuracy(
    readers: Sequence[str],
    without: Sequence[float],
    with_hint: Sequence[float],
    labels: tuple[str, str] = ("without AI", "with AI"),
) -> Figure:
    """Each reader's accuracy without and with the hint, joined by a line."""
    a = np.asarray(without, dtype=float)
    b = np.asarray(with_hint, dtype=float)
    figure = Figure(figsize=(4, 4))
    ax = figure.subplots()
    many = len(a) > 200
    segments = np.stack([np.stack([np.zeros_like(a), a], 1), np.stack([np.ones_like(b), b], 1)], 1)
    colours = np.where(b > a, COLOURS[2], COLOURS[3])
    # One collection, not one line per reader: thousands of readers draw in one call.
    ax.add_collection(
        LineCollection(list(segments), colors=list(colours), alpha=0.15 if many else 0.6, lw=0.8)
    )
    if not many:
        ax.scatter(np.zeros(len(a)), a, color=COLOURS[0], zorder=3, s=14)
        ax.scatter(np.ones(len(b)), b, color=COLOURS[1], zorder=3, s=14)
    ax.plot([0, 1], [np.nanmean(a), np.nanmean(b)], color="black", lw=2.5, label="mean")
    ax.set_xticks([0, 1], labels)
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy")
    ax.set_title(f"Per-reader accuracy ({len(readers)} readers)")
    ax.legend(frameon=False, fontsize=8)
    return figure


def accuracy_by_years(groups: Mapping[str, tuple[Sequence[float], Sequence[float]]]) -> Figure:
    """Accuracy against years in practice; ``groups``: phase -> (years, accuracy)."""
    figure = Figure(figsize=(5, 3.6))
    ax = figure.subplots()
    for k, (label, (years, accuracy)) in enumerate(groups.items()):
        x = np.asarray(years, dtype=float)
        y = np.asarray(accuracy, dtype=float)
        ax.scatter(x, y, s=12, alpha=0.7, label=label, color=COLOURS[k % 7])
        ok = ~(np.isnan(x) | np.isnan(y))
        if ok.sum() >= 3 and np.ptp(x[ok]) > 0:
            slope, intercept = np.polyfit(x[ok], y[ok], 1)
            grid = np.linspace(x[ok].min(), x[ok].max(), 2)
            ax.plot(grid, intercept + slope * grid, color=COLOURS[k % 7], lw=1)
    ax.set_xlabel("years in practice")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1)
    ax.set_title("Accuracy by years in practice")
    if groups:
        ax.legend(frameon=False, fontsize=8)
    return figure


def crossover_periods(cells: pd.DataFrame, figure: str = "accuracy") -> Figure:
    """Each sequence's mean in period 1 and period 2, with AI filled, without AI hollow: lines
    that cross show the AI's effect; lines apart at both periods, a sequence (carry-over)."""
    fig = Figure(figsize=(4.6, 3.6))
    ax = fig.subplots()
    for k, (sequence, part) in enumerate(cells.groupby("sequence", sort=True)):
        part = part.sort_values("period")
        colour = COLOURS[k % len(COLOURS)]
        ax.plot(part["period"], part["mean"], color=colour, lw=1.5, label=str(sequence))
        for _, row in part.iterrows():
            ax.scatter(
                row["period"],
                row["mean"],
                s=40,
                color=colour if row["with_ai"] else "white",
                edgecolors=colour,
                zorder=3,
            )
    ax.set_xticks([1, 2], ["period 1", "period 2"])
    ax.set_xlim(0.7, 2.3)
    ax.set_ylabel(f"mean {figure}")
    ax.set_title("Crossover: each sequence by period (filled: with AI)")
    ax.legend(frameon=False, fontsize=8)
    return fig


def power_curve(
    cases: Sequence[int], powers: Mapping[int, ArrayLike], *, target: float, title: str
) -> Figure:
    """Power against the number of cases, one line per number of readers."""
    fig = Figure(figsize=(6, 3.8))
    ax = fig.subplots()
    for k, (readers, values) in enumerate(sorted(powers.items())):
        ax.plot(cases, values, color=COLOURS[k % len(COLOURS)], lw=1.5, label=f"{readers} readers")
    ax.axhline(target, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("cases per reader and modality")
    ax.set_ylabel("power")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def report_figures(report: StudyReport) -> dict[str, Figure]:
    """Every figure of a study report, by file-friendly name (without extension)."""
    figures: dict[str, Figure] = {}
    tpr_series: dict[str, ArrayLike] = {}
    for phase in report.phases:
        who = "GPs + AI" if phase.kind == "hint" else "GPs"
        slug = _slug(phase.phase)
        counts = phase.readers.pooled.confusion
        figures[f"confusion-{slug}"] = confusion_matrix(counts, f"{who}, {phase.phase}")
        figures[f"confusion-{slug}-share"] = confusion_matrix(
            counts, f"{who}, {phase.phase}", normalise=True
        )
        tpr_series[f"{who} ({phase.phase})"] = phase.readers.pooled.tpr.tolist()
        if phase.model is not None:
            figures[f"confusion-{slug}-dnn"] = confusion_matrix(
                phase.model.confusion, f"DNN, {phase.phase}"
            )
            figures[f"confusion-{slug}-dnn-share"] = confusion_matrix(
                phase.model.confusion, f"DNN, {phase.phase}", normalise=True
            )
            tpr_series[f"DNN ({phase.phase})"] = phase.model.tpr.tolist()
    if tpr_series:
        figures["tpr-per-class"] = per_class_tpr(tpr_series)
    for comparison in report.comparisons:
        readers = report.readers
        a = readers[readers["phase"] == comparison.without].set_index("reader")["accuracy"]
        b = readers[readers["phase"] == comparison.with_hint].set_index("reader")["accuracy"]
        both = a.index.intersection(b.index)
        figures[f"paired-accuracy-{_slug(comparison.with_hint)}"] = paired_accuracy(
            list(both), a[both].to_numpy(), b[both].to_numpy()
        )
        for analysis in comparison.crossover[:1]:  # accuracy, the first figure
            figures[f"crossover-{_slug(comparison.with_hint)}"] = crossover_periods(
                analysis.cells, analysis.figure
            )
    years_column = "profile_years_in_practice"
    if len(report.readers) and years_column in report.readers.columns:
        groups = {
            str(phase): (part[years_column].to_numpy(), part["accuracy"].to_numpy())
            for phase, part in report.readers.groupby("phase", sort=False)
        }
        figures["accuracy-by-years"] = accuracy_by_years(groups)
    return figures
