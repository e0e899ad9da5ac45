from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from django.test import Client

from tests.analysis.conftest import StudySetup

pytestmark = pytest.mark.django_db


def test_the_summary_gives_table_4_and_the_hint_comparison(
    study_setup: StudySetup, researcher_client: Client
) -> None:
    response = researcher_client.get(f"/api/analysis/studies/{study_setup.study.pk}/summary/")
    assert response.status_code == 200
    body = response.json()
    assert body["readings"] == study_setup.closed_real
    assert [row["who"] for row in body["table4"]] == ["DNN", "GPs", "DNN", "GPs + AI"]
    (comparison,) = body["comparisons"]
    assert comparison["readers_paired"] == 3
    assert comparison["accuracy_with"] > comparison["accuracy_without"]


def test_the_exports_come_as_csv_and_need_a_researcher(
    study_setup: StudySetup, researcher_client: Client, django_user_model: Any
) -> None:
    url = f"/api/analysis/studies/{study_setup.study.pk}/exports/imrmc.csv"
    back = pd.read_csv(io.BytesIO(researcher_client.get(url).content))
    assert list(back.columns) == ["readerID", "caseID", "modalityID", "score"]
    assert (back["readerID"] == "truth").sum() == 14
    gp = django_user_model.objects.create_user(username="gp", password="a-long-passphrase-2")
    client = Client()
    client.force_login(gp)
    assert client.get(url).status_code == 403
    assert Client().get(url).status_code in (401, 403)


def test_the_summary_gives_each_figures_mrmc_and_the_design_that_fits(
    study_setup: StudySetup, researcher_client: Client
) -> None:
    body = researcher_client.get(f"/api/analysis/studies/{study_setup.study.pk}/summary/").json()
    figures = {row["figure"]: row for row in body["mrmc_figures"]}
    assert set(figures) == {"accuracy", "balanced accuracy", "sensitivity", "specificity"}
    assert figures["sensitivity"]["cases"] == "malignant"
    (design,) = body["designs"]
    assert design["design"] == "cases_nested_in_modality"
    assert "MRMCaov" in design["reference"]
