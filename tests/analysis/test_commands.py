from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from tests.analysis.conftest import StudySetup

pytestmark = pytest.mark.django_db


def test_export_study_writes_every_export(study_setup: StudySetup, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    call_command("export_study", study=study_setup.study.pk, out=out)
    assert sorted(p.name for p in out.iterdir()) == [
        "imrmc.csv",
        "per_class.csv",
        "readers.csv",
        "readings.csv",
    ]
    assert len(pd.read_csv(out / "readings.csv")) == study_setup.closed_real


def test_study_report_writes_the_html_with_plots_and_the_tables(
    study_setup: StudySetup, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    call_command("study_report", study=study_setup.study.pk, out=out)
    html = (out / "index.html").read_text()
    assert "<svg" in html
    assert "table4.csv" in html
    table4 = pd.read_csv(out / "table4.csv")
    assert list(table4["who"]) == ["DNN", "GPs", "DNN", "GPs + AI"]
    assert not (tmp_path / "report.partial").exists()


def test_an_unknown_study_is_refused_by_id(db: object, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no study with id 999"):
        call_command("export_study", study=999, out=tmp_path)
