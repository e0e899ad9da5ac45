from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from analysis import exports, readings_report, simulate
from analysis import frames as F
from tests.analysis.readings import readings

T, H = F.TIMED, F.HINT


@pytest.fixture
def frame() -> pd.DataFrame:
    table = readings(
        [
            ("p1", T, "R1", "i1", "nv", "nv", "nv"),
            ("p1", T, "R1", "i2", "mel", None, "mel", 45_000),
            ("p1", T, "R2", "i1", "nv", "bkl", "nv"),
            ("p1", T, "R2", "i2", "mel", "mel", "mel"),
            ("p2", H, "R1", "j1", "bcc", "bcc", "bcc"),
            ("p2", H, "R2", "j1", "bcc", "nv", "bcc"),
        ],
        profile_specialty='=HYPERLINK("http://x")',
        profile_offset=-1.5,
    )
    table.loc[table[F.READER] == "R2", "profile_specialty"] = "@SUM(A1)"
    return table


def read_back(frame: pd.DataFrame, **options: bool) -> pd.DataFrame:
    buffer = io.StringIO()
    exports.write_long(frame, buffer, **options)
    buffer.seek(0)
    return pd.read_csv(buffer)


def test_the_long_export_has_one_row_per_reading_and_every_field(frame: pd.DataFrame) -> None:
    back = read_back(frame)
    assert len(back) == len(frame)
    for column in (*exports.LONG_COLUMNS, "profile_specialty", "profile_offset"):
        assert column in back.columns
    first = back.iloc[0]
    assert (first[F.READER], first[F.IMAGE], first[F.TRUTH], first[F.ANSWER]) == (
        "R1",
        "i1",
        "nv",
        "nv",
    )
    assert bool(first[F.CORRECT]) is True
    assert first[F.SERVED_AT] == "2020-03-02T10:00:00.000000Z"
    timeout = back.iloc[1]
    assert timeout[F.OUTCOME] == F.TIMED_OUT
    assert pd.isna(timeout[F.ANSWER])
    assert bool(timeout[F.CORRECT]) is False
    hint_row = back.iloc[4]
    assert hint_row[F.HINT_TOP] == "bcc"
    assert hint_row[F.HINT_PREFIX + "bcc"] == pytest.approx(0.7)
    assert bool(hint_row[F.AI_CORRECT]) is True


def test_formula_cells_are_escaped_and_negative_numbers_stay_numbers(
    frame: pd.DataFrame,
) -> None:
    back = read_back(frame)
    assert set(back["profile_specialty"]) == {'\'=HYPERLINK("http://x")', "'@SUM(A1)"}
    assert back["profile_offset"].dtype.kind == "f"
    assert (back["profile_offset"] == -1.5).all()


def test_simulated_readers_are_exported_only_when_asked(frame: pd.DataFrame) -> None:
    frame.loc[frame[F.READER] == "R2", F.SIMULATED] = True
    assert set(read_back(frame)[F.READER]) == {"R1"}
    assert set(read_back(frame, include_simulated=True)[F.READER]) == {"R1", "R2"}


def test_the_imrmc_export_scores_malignant_calls_with_a_truth_row_per_case(
    frame: pd.DataFrame,
) -> None:
    out = exports.imrmc_frame(frame)
    truth = out[out["readerID"] == "truth"].set_index("caseID")["score"]
    assert truth.to_dict() == {"i1": 0, "i2": 1, "j1": 1}
    scores = out[out["readerID"] != "truth"].set_index(["readerID", "caseID"])["score"]
    assert scores[("R1", "i2")] == 0  # a timeout on a melanoma is a miss
    assert scores[("R2", "i2")] == 1
    assert scores[("R2", "j1")] == 0  # bcc read as nv
    assert list(out.columns) == ["readerID", "caseID", "modalityID", "score"]


def test_write_all_writes_every_file_that_pandas_reads_back(tmp_path: Path) -> None:
    frame = simulate.simulate_study(n_readers=4, n_cases=10, seed=3)
    report = readings_report.study_report(frame, include_simulated=True)
    counts = exports.write_all(frame, report, tmp_path, include_simulated=True)
    assert counts["readings.csv"] == 80
    assert counts["readers.csv"] == 8  # 4 readers x 2 phases
    assert counts["per_class.csv"] == 14
    assert counts["imrmc.csv"] == 80 + 20
    for name, rows in counts.items():
        assert len(pd.read_csv(tmp_path / name)) == rows


def test_an_export_is_written_by_name_into_any_text_sink() -> None:
    frame = simulate.simulate_study(n_readers=2, n_cases=5, seed=4)
    report = readings_report.study_report(frame, include_simulated=True)
    sink = io.StringIO()
    rows = exports.write_export("imrmc", frame, report, sink, include_simulated=True)
    assert rows == len(pd.read_csv(io.StringIO(sink.getvalue()))) == 20 + 10
    with pytest.raises(ValueError, match="no export called 'scores'"):
        exports.write_export("scores", frame, report, io.StringIO())


def test_escaping_reaches_categorical_columns_too() -> None:
    table = pd.DataFrame({"who": pd.Categorical(["=1+1", "R1"]), "n": [-1, 2]})
    out = exports.escaped(table)
    assert list(out["who"]) == ["'=1+1", "R1"]
    assert list(out["n"]) == [-1, 2]
