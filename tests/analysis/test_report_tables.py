"""A study report as named tables, and any table as HTML."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import readings_report, simulate
from analysis.report_tables import report_tables, table_html


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    frame = simulate.simulate_study(n_readers=6, n_cases=20, seed=2)
    return report_tables(readings_report.study_report(frame, include_simulated=True))


def test_the_tables_come_in_the_order_a_reader_wants_them(
    tables: dict[str, pd.DataFrame],
) -> None:
    assert list(tables) == [
        "table4",
        "comparisons",
        "mrmc_figures",
        "tpr_change",
        "ai_follow",
        "mrmc",
        "per_class",
        "timing",
        "readers",
    ]


def test_each_comparison_row_carries_the_paired_tests_and_the_mrmc_headline(
    tables: dict[str, pd.DataFrame],
) -> None:
    (row,) = tables["comparisons"].to_dict(orient="records")
    assert row["readers_paired"] == 6
    assert row["accuracy_difference"] == pytest.approx(
        row["accuracy_with"] - row["accuracy_without"]
    )
    assert row["mrmc_ddf"] > 0
    mrmc = tables["mrmc"]
    assert set(mrmc["analysis"]) == {
        "random readers, random cases",
        "fixed readers, random cases",
        "random readers, fixed cases",
        "covariances",
    }


def test_a_table_in_html_escapes_its_cells_and_reads_its_headers() -> None:
    frame = pd.DataFrame({"error_rate": [0.123456], "who": ["<script>"]})
    page = table_html(frame)
    assert "<th>error rate</th>" in page
    assert "&lt;script&gt;" in page
    assert "<script>" not in page
    assert "0.1235" in page
    assert "<th>error_rate</th>" in table_html(frame, readable_headers=False)
