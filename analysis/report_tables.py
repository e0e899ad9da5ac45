"""A study report as named tables: what the results page shows and the report writes as CSV;
and any table as HTML, for the pages and the report file alike."""

from __future__ import annotations

import pandas as pd
from django.utils.safestring import SafeString, mark_safe

from analysis.readings_report import HintComparison, StudyReport


def _comparison_row(c: HintComparison) -> dict[str, object]:
    row: dict[str, object] = {
        "without": c.without,
        "with_hint": c.with_hint,
        "readers_paired": c.readers_paired,
        "accuracy_without": c.accuracy.mean_first,
        "accuracy_with": c.accuracy.mean_second,
        "accuracy_difference": c.accuracy.mean_difference,
        "difference_ci_low": c.accuracy.ci_low,
        "difference_ci_high": c.accuracy.ci_high,
        "ci_method": c.accuracy.ci_method,
        "wilcoxon_p": c.accuracy.wilcoxon_p,
        "paired_t_p": c.accuracy.t_p,
        "balanced_accuracy_difference": c.balanced_accuracy.mean_difference,
        "balanced_wilcoxon_p": c.balanced_accuracy.wilcoxon_p,
        "mrmc": c.mrmc_note,
    }
    if c.mrmc is not None and c.mrmc.differences:
        d = c.mrmc.differences[0]
        row.update(
            {
                "mrmc_difference": d.estimate,
                "mrmc_ci_low": d.ci_low,
                "mrmc_ci_high": d.ci_high,
                "mrmc_F": c.mrmc.F,
                "mrmc_ddf": c.mrmc.ddf,
                "mrmc_p": c.mrmc.p,
            }
        )
    return row


def _mrmc_rows(c: HintComparison) -> list[dict[str, object]]:
    """Every figure's three analyses (estimates and differences) and its covariances."""
    rows: list[dict[str, object]] = []
    for figure in c.figures:
        result = figure.result
        if result is None:
            continue
        label = {"comparison": f"{c.without} vs {c.with_hint}", "figure": figure.figure}
        for analysis in (
            result.random_readers_random_cases,
            result.fixed_readers_random_cases,
            result.random_readers_fixed_cases,
        ):
            for kind, estimates in (
                ("modality", analysis.modalities),
                ("difference", analysis.differences),
            ):
                for e in estimates:
                    rows.append(
                        {
                            **label,
                            "analysis": analysis.name,
                            "statistic": analysis.statistic,
                            "df1": analysis.df1,
                            "df2": analysis.df2,
                            "p_overall": analysis.p,
                            "kind": kind,
                            "name": e.name,
                            "estimate": e.estimate,
                            "se": e.se,
                            "df": e.df,
                            "ci_low": e.ci_low,
                            "ci_high": e.ci_high,
                            "p": e.p,
                        }
                    )
        cov = result.covariances
        rows.append(
            {
                **label,
                "analysis": "covariances",
                "kind": "var, cov1, cov2, cov3",
                "name": result.design,
                "estimate": cov.var,
                "se": cov.cov1,
                "df": cov.cov2,
                "ci_low": cov.cov3,
            }
        )
    return rows


def _figure_rows(c: HintComparison) -> list[dict[str, object]]:
    """One row per figure: its cases, design, the two modalities, the difference, F, p."""
    rows: list[dict[str, object]] = []
    for figure in c.figures:
        row: dict[str, object] = {
            "comparison": f"{c.without} vs {c.with_hint}",
            "figure": figure.figure,
            "cases": figure.cases,
            "design": c.design.design if c.design is not None else "",
            "note": figure.note,
        }
        result = figure.result
        if result is not None and result.differences:
            by_name = {e.name: e for e in result.estimates}
            d = result.differences[0]
            # The differences are "first - second" in sorted order: "with AI - without AI".
            row.update(
                {
                    "readers": len(result.readers),
                    "without": by_name["without AI"].estimate,
                    "with": by_name["with AI"].estimate,
                    "difference": d.estimate,
                    "ci_low": d.ci_low,
                    "ci_high": d.ci_high,
                    "F": result.F,
                    "ddf": result.ddf,
                    "p": result.p,
                }
            )
        rows.append(row)
    return rows


def _crossover_rows(c: HintComparison) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for analysis in c.crossover:
        for effect in (analysis.ai, analysis.period, analysis.carryover):
            rows.append(
                {
                    "comparison": f"{c.without} vs {c.with_hint}",
                    "figure": analysis.figure,
                    "effect": effect.name,
                    "estimate": effect.estimate,
                    "se": effect.se,
                    "df": effect.df,
                    "ci_low": effect.ci_low,
                    "ci_high": effect.ci_high,
                    "p": effect.p,
                    "readers_without_ai_first": analysis.readers_first_without,
                    "readers_with_ai_first": analysis.readers_first_with,
                }
            )
    return rows


def _labelled(c: HintComparison, table: pd.DataFrame) -> pd.DataFrame:
    out = table.reset_index() if table.index.name else table.copy()
    out.insert(0, "comparison", f"{c.without} vs {c.with_hint}")
    return out


def report_tables(report: StudyReport) -> dict[str, pd.DataFrame]:
    """Named tables of a report, in the order a reader of the report wants them."""
    tables: dict[str, pd.DataFrame] = {"table4": report.table4}
    if report.comparisons:
        tables["comparisons"] = pd.DataFrame([_comparison_row(c) for c in report.comparisons])
        figure_rows = [row for c in report.comparisons for row in _figure_rows(c)]
        if figure_rows:
            tables["mrmc_figures"] = pd.DataFrame(figure_rows)
        crossover_rows = [row for c in report.comparisons for row in _crossover_rows(c)]
        if crossover_rows:
            tables["crossover"] = pd.DataFrame(crossover_rows)
        arms = [_labelled(c, c.by_sequence) for c in report.comparisons if len(c.by_sequence)]
        if arms:
            tables["by_sequence"] = pd.concat(arms, ignore_index=True)
        tables["tpr_change"] = pd.concat(
            [_labelled(c, c.tpr_change) for c in report.comparisons], ignore_index=True
        )
        tables["ai_follow"] = pd.concat(
            [_labelled(c, c.follow) for c in report.comparisons], ignore_index=True
        )
        mrmc_rows = [row for c in report.comparisons for row in _mrmc_rows(c)]
        if mrmc_rows:
            tables["mrmc"] = pd.DataFrame(mrmc_rows)
    if report.phases:
        tables["per_class"] = pd.concat([p.per_class for p in report.phases], ignore_index=True)
    if len(report.timing):
        tables["timing"] = report.timing.reset_index()
    if len(report.readers):
        tables["readers"] = report.readers
    return tables


def table_html(frame: pd.DataFrame, *, readable_headers: bool = True) -> SafeString:
    """A DataFrame as an HTML table; pandas escapes every cell.

    The pages show ``snake_case`` headers with spaces; the report file keeps them as the CSV
    files beside it spell them, so a reader can match a column to its file.
    """
    if readable_headers:
        frame = frame.rename(columns=lambda c: str(c).replace("_", " "))
    html = frame.to_html(
        index=False, float_format=lambda v: f"{v:.4g}", na_rep="", classes="data", border=0
    )
    return mark_safe(html)  # noqa: S308 - escaped by pandas
