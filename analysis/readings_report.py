"""A study's full report from its readings table (pandas/numpy, no Django).

Per phase: the readers' metrics (pooled and per reader), the model's metrics on the same images
(the layout of the paper's Table 4), time per case and timeouts. For every hint phase, against
the phase without hint before it (the timed one when there is one): per-reader paired tests,
per-class TPR changes, AI-follow, and OR-Hillis MRMC analyses with readers and cases random of
accuracy, balanced accuracy, malignant-vs-benign sensitivity and specificity (and the AUC of the
reader's confidence where it was asked), in the design the readings fit
(``analysis.reader_mrmc``: crossed, cases nested in phase, or counterbalanced image sets). Where
readers took the two phases in both orders (a crossover), the period and sequence effects too
(``analysis.crossover``); where they were randomised to arms, the figures per arm and phase.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import crossover, metrics, mrmc, reader_mrmc, stats
from analysis import frames as F
from analysis.metrics import GroupMetrics, Metrics


def gettext_noop(message: str) -> str:
    """Marks a note for the catalogue (makemessages knows the name); this module stays free of
    Django, and the results page translates the note (``Note``) when it shows it."""
    return message


class Note(str):
    """A note of the report, in English, that keeps its message and values so that a page can
    say it in its reader's language."""

    message: str
    values: dict[str, str]

    def __new__(cls, message: str, **values: str) -> Note:
        note = super().__new__(cls, message % values if values else message)
        note.message = message
        note.values = values
        return note


@dataclass(frozen=True)
class PhaseReport:
    phase: str
    kind: str
    n_readers: int
    n_cases: int
    readers: GroupMetrics
    model: Metrics | None  # the AI's prediction for each of the phase's images
    per_reader: pd.DataFrame
    per_class: pd.DataFrame
    # Each reader against the model on the images that reader read (reader - model).
    versus_model: stats.PairedComparison | None = None


@dataclass(frozen=True)
class HintComparison:
    without: str
    with_hint: str
    readers_paired: int
    accuracy: stats.PairedComparison
    balanced_accuracy: stats.PairedComparison
    tpr_change: pd.DataFrame
    follow: pd.DataFrame
    mrmc: mrmc.MRMCResult | None  # of accuracy, the headline
    mrmc_note: str
    design: reader_mrmc.DesignChoice | None = None
    figures: list[reader_mrmc.FigureMRMC] = field(default_factory=list)
    crossover: list[crossover.CrossoverAnalysis] = field(default_factory=list)
    by_sequence: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class StudyReport:
    study: str
    include_simulated: bool
    n_readings: int
    phases: list[PhaseReport]
    table4: pd.DataFrame
    comparisons: list[HintComparison]
    timing: pd.DataFrame
    readers: pd.DataFrame  # one row per reader and phase, with the profile
    notes: list[str] = field(default_factory=list)


def _phase_order(frame: pd.DataFrame) -> list[tuple[str, str]]:
    firsts = frame.drop_duplicates(F.PHASE)[[F.PHASE, F.PHASE_KIND]]
    return [(str(p), str(k)) for p, k in firsts.itertuples(index=False)]


def _model_on_images(rows: pd.DataFrame) -> Metrics | None:
    images = rows.drop_duplicates(F.IMAGE)
    if images[F.AI_TOP].isna().all():
        return None
    images = images[images[F.AI_TOP].notna()]
    return metrics.model_metrics(images[F.TRUTH], images[F.AI_TOP])


def phase_report(rows: pd.DataFrame, phase: str, kind: str) -> PhaseReport:
    group = metrics.group_metrics(rows[F.READER], rows[F.TRUTH], rows[F.ANSWER])
    model = _model_on_images(rows)
    per_reader = metrics.per_group_table(group.per_reader, group.readers, label=F.READER)
    profiles = rows.drop_duplicates(F.READER).set_index(F.READER)[F.profile_columns(rows)]
    per_reader = per_reader.join(profiles, on=F.READER)
    per_reader.insert(0, F.PHASE, phase)
    per_class = metrics.per_class_table(group.pooled).add_prefix("readers_")
    per_class = per_class.rename(columns={"readers_diagnosis": "diagnosis"})
    if model is not None:
        model_table = metrics.per_class_table(model).drop(columns="diagnosis").add_prefix("model_")
        per_class = pd.concat([per_class, model_table], axis=1)
    per_class.insert(0, F.PHASE, phase)
    versus_model = None
    if model is not None:
        model_accuracy = _model_accuracy_per_reader(rows, len(group.readers))
        per_reader["model_accuracy_same_images"] = model_accuracy
        if len(group.readers) >= 2:
            versus_model = stats.paired_comparison(model_accuracy, group.per_reader.accuracy)
    return PhaseReport(
        phase=phase,
        kind=kind,
        n_readers=len(group.readers),
        n_cases=int(rows[F.CASE].nunique()),
        readers=group,
        model=model,
        per_reader=per_reader,
        per_class=per_class,
        versus_model=versus_model,
    )


def _model_accuracy_per_reader(rows: pd.DataFrame, n_readers: int) -> np.ndarray:
    """The model's accuracy on each reader's own images (same reader order as group_metrics)."""
    index, _ = metrics.factorize(rows[F.READER])
    ai = F.code_index(rows[F.AI_TOP])
    right = (ai == F.code_index(rows[F.TRUTH])) & (ai != F.NO_ANSWER)
    known = np.bincount(index, weights=(ai != F.NO_ANSWER), minlength=n_readers)
    hits = np.bincount(index, weights=right, minlength=n_readers)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known > 0, hits / np.where(known > 0, known, 1), np.nan)


def _versus(c: stats.PairedComparison | None) -> dict[str, float]:
    nan = float("nan")
    if c is None:
        return {"minus_dnn": nan, "minus_dnn_ci_low": nan, "minus_dnn_ci_high": nan,
                "minus_dnn_wilcoxon_p": nan}  # fmt: skip
    return {
        "minus_dnn": c.mean_difference,
        "minus_dnn_ci_low": c.ci_low,
        "minus_dnn_ci_high": c.ci_high,
        "minus_dnn_wilcoxon_p": c.wilcoxon_p,
    }


def _table4(phases: list[PhaseReport]) -> pd.DataFrame:
    """GPs (pooled, and mean over readers) and the model on the same images, per phase."""
    rows = []
    for p in phases:
        label = {F.HINT: "GPs + AI"}.get(p.kind, "GPs")
        if p.model is not None:
            rows.append(
                {
                    F.PHASE: p.phase,
                    "who": "DNN",
                    **metrics.summary_row(p.model),
                    "readers": 0,
                    "mean_accuracy": float("nan"),
                    "sd_accuracy": float("nan"),
                }
            )
        rows.append(
            {
                F.PHASE: p.phase,
                "who": label,
                **metrics.summary_row(p.readers.pooled),
                "readers": p.n_readers,
                "mean_accuracy": p.readers.mean_accuracy.mean,
                "sd_accuracy": p.readers.mean_accuracy.sd,
                **_versus(p.versus_model),
            }
        )
    return pd.DataFrame(rows)


def _crossover(
    without: pd.DataFrame, with_hint: pd.DataFrame, per_reader: dict[str, tuple[pd.Series, ...]]
) -> list[crossover.CrossoverAnalysis]:
    """The period and sequence effects of every figure, where readers took both orders."""
    both = pd.concat([without, with_hint], ignore_index=True)
    places = both.groupby([F.READER, F.PHASE_KIND], observed=True)[F.PERIOD].min().unstack()
    if F.HINT not in places.columns or places.shape[1] != 2:
        return []
    places = places.dropna()
    ai_first = places[F.HINT] < places.drop(columns=F.HINT).iloc[:, 0]
    if ai_first.all() or not ai_first.any():
        return []
    out = []
    for figure, (values_without, values_with) in per_reader.items():
        readers = places.index.intersection(values_without.index).intersection(values_with.index)
        first = ai_first[readers].to_numpy()
        rows = pd.DataFrame(
            {
                "reader": np.concatenate([readers, readers]),
                "period": np.concatenate([np.where(first, 2, 1), np.where(first, 1, 2)]),
                "with_ai": np.concatenate(
                    [np.zeros(len(readers), bool), np.ones(len(readers), bool)]
                ),
                "value": np.concatenate([values_without[readers], values_with[readers]]),
            }
        )
        analysis = crossover.crossover_analysis(rows.dropna(), figure)
        if analysis is not None:
            out.append(analysis)
    return out


def _by_sequence(without: pd.DataFrame, with_hint: pd.DataFrame) -> pd.DataFrame:
    """Mean accuracy per arm (sequence) and phase, where readers were randomised to arms."""
    if all(part[F.SEQUENCE].fillna("").astype(str).eq("").all() for part in (without, with_hint)):
        return pd.DataFrame()
    both = F.with_derived(pd.concat([without, with_hint], ignore_index=True))
    per_reader = both.groupby([F.SEQUENCE, F.PHASE, F.READER], observed=True).agg(
        accuracy=(F.CORRECT, "mean"),
        period=(F.PERIOD, "first"),
        image_set=(F.IMAGE_SET, "first"),
    )
    table = per_reader.groupby(level=[0, 1], observed=True).agg(
        readers=("accuracy", "size"),
        period=("period", "mean"),
        image_set=("image_set", "first"),
        mean_accuracy=("accuracy", "mean"),
        sd_accuracy=("accuracy", "std"),
    )
    return table.reset_index()


def _per_reader_figures(g0: GroupMetrics, g1: GroupMetrics) -> dict[str, tuple[pd.Series, ...]]:
    def series(g: GroupMetrics, name: str) -> pd.Series:
        return pd.Series(getattr(g.per_reader, name), index=[str(r) for r in g.readers])

    names = {
        "accuracy": "accuracy",
        "balanced accuracy": "balanced_accuracy",
        "sensitivity": "sensitivity",
        "specificity": "specificity",
    }
    return {label: (series(g0, n), series(g1, n)) for label, n in names.items()}


def hint_comparison(without: pd.DataFrame, with_hint: pd.DataFrame) -> HintComparison:
    name_without, name_with = str(without[F.PHASE].iat[0]), str(with_hint[F.PHASE].iat[0])
    g0 = metrics.group_metrics(without[F.READER], without[F.TRUTH], without[F.ANSWER])
    g1 = metrics.group_metrics(with_hint[F.READER], with_hint[F.TRUTH], with_hint[F.ANSWER])
    acc0 = pd.Series(g0.per_reader.accuracy, index=g0.readers)
    acc1 = pd.Series(g1.per_reader.accuracy, index=g1.readers)
    bal0 = pd.Series(g0.per_reader.balanced_accuracy, index=g0.readers)
    bal1 = pd.Series(g1.per_reader.balanced_accuracy, index=g1.readers)
    paired = acc0.index.intersection(acc1.index)
    design, figures, note = reader_mrmc.figures_mrmc(without, with_hint)
    headline = next((f for f in figures if f.figure == "accuracy"), None)
    if headline is not None and headline.result is None:
        note = f"MRMC {headline.note}"
    without = F.with_design_columns(without)
    with_hint = F.with_design_columns(with_hint)
    return HintComparison(
        without=name_without,
        with_hint=name_with,
        readers_paired=len(paired),
        accuracy=stats.paired_comparison(acc0[paired], acc1[paired]),
        balanced_accuracy=stats.paired_comparison(bal0[paired], bal1[paired]),
        tpr_change=stats.tpr_change(g0.pooled, g1.pooled),
        follow=stats.ai_follow(without, with_hint),
        mrmc=headline.result if headline is not None else None,
        mrmc_note=note,
        design=design,
        figures=figures,
        crossover=_crossover(without, with_hint, _per_reader_figures(g0, g1)),
        by_sequence=_by_sequence(without, with_hint),
    )


def study_report(frame: pd.DataFrame, *, include_simulated: bool = False) -> StudyReport:
    """Everything the results page and the report files show, for one study's readings."""
    compacted = F.validate(F.compact(F.with_design_columns(frame)))
    rows = F.real_readers(compacted, include_simulated=include_simulated)
    notes: list[str] = []
    if rows.empty:
        notes.append(
            Note(gettext_noop("No readings yet."))
            if frame.empty
            else Note(gettext_noop("Only simulated readers so far."))
        )
    study = str(frame[F.STUDY].iat[0]) if len(frame) else ""
    order = _phase_order(rows)
    by_phase = {name: part for name, part in rows.groupby(F.PHASE, sort=False)}
    phases = [phase_report(by_phase[name], name, kind) for name, kind in order]

    comparisons = []
    for i, (name, kind) in enumerate(order):
        if kind != F.HINT:
            continue
        earlier = [(n, k) for n, k in order[:i] if k != F.HINT]
        if not earlier:
            notes.append(
                Note(
                    gettext_noop("%(phase)s: no phase without hint before it to compare with."),
                    phase=name,
                )
            )
            continue
        timed = [n for n, k in earlier if k == F.TIMED]
        base = timed[-1] if timed else earlier[-1][0]
        try:
            comparisons.append(hint_comparison(by_phase[base], by_phase[name]))
        except ValueError as error:
            notes.append(
                Note(
                    gettext_noop("%(without)s vs %(with_hint)s: %(error)s"),
                    without=base,
                    with_hint=name,
                    error=str(error),
                )
            )

    readers = pd.concat([p.per_reader for p in phases], ignore_index=True) if phases else None
    return StudyReport(
        study=study,
        include_simulated=include_simulated,
        n_readings=len(rows),
        phases=phases,
        table4=_table4(phases),
        comparisons=comparisons,
        timing=stats.timing(rows) if len(rows) else pd.DataFrame(),
        readers=readers if readers is not None else pd.DataFrame(),
        notes=notes,
    )
