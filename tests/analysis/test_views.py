from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from analysis import frames as F
from analysis.models import ReportJob
from analysis.tasks import report_job_run_task
from core.models import JobStatus
from tests.analysis.conftest import StudySetup

pytestmark = pytest.mark.django_db


def test_the_results_page_needs_a_researcher(
    study_setup: StudySetup, django_user_model: Any
) -> None:
    url = reverse("analysis:study", args=[study_setup.study.pk])
    assert Client().get(url).status_code == 302
    gp = django_user_model.objects.create_user(username="gp", password="a-long-passphrase-2")
    client = Client()
    client.force_login(gp)
    assert client.get(url).status_code == 403
    assert (
        client.get(reverse("analysis:export", args=[study_setup.study.pk, "readings"])).status_code
        == 403
    )


def test_the_results_page_shows_tables_plots_and_export_links(
    study_setup: StudySetup, researcher_client: Client
) -> None:
    response = researcher_client.get(reverse("analysis:study", args=[study_setup.study.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "GPs + AI" in page  # Table 4 rows
    assert "DNN" in page
    assert "<svg" in page
    assert reverse("analysis:export", args=[study_setup.study.pk, "readings"]) in page
    assert "With AI" in page


def test_the_readings_export_downloads_one_row_per_reading(
    study_setup: StudySetup, researcher_client: Client
) -> None:
    url = reverse("analysis:export", args=[study_setup.study.pk, "readings"])
    response = researcher_client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    back = pd.read_csv(io.BytesIO(response.content))
    assert len(back) == study_setup.closed_real
    with_simulated = pd.read_csv(io.BytesIO(researcher_client.get(url + "?simulated=1").content))
    assert len(with_simulated) == study_setup.closed_real + 7
    assert back[F.CORRECT].dtype == bool


def test_a_plot_downloads_as_png_and_an_unknown_one_is_not_found(
    study_setup: StudySetup, researcher_client: Client
) -> None:
    pk = study_setup.study.pk
    png = researcher_client.get(reverse("analysis:plot", args=[pk, "tpr-per-class", "png"]))
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")
    missing = researcher_client.get(reverse("analysis:plot", args=[pk, "nothing", "svg"]))
    assert missing.status_code == 404


def test_a_report_job_builds_the_files_and_serves_only_its_own(
    study_setup: StudySetup, researcher_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    pk = study_setup.study.pk
    with django_capture_on_commit_callbacks() as callbacks:
        researcher_client.post(reverse("analysis:report_create", args=[pk]))
    assert len(callbacks) == 1  # queued after the commit, not before
    job = ReportJob.objects.get(study=study_setup.study)
    assert job.status == JobStatus.PENDING
    report_job_run_task(job_id=job.pk)  # what the worker runs
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == 1.0
    assert {"index.html", "readings.csv", "table4.csv", "tpr-per-class.svg"} <= set(job.files)
    page = researcher_client.get(reverse("analysis:report_file", args=[job.pk, "index.html"]))
    assert b"<svg" in b"".join(page.streaming_content)
    escape = researcher_client.get(
        reverse("analysis:report_file", args=[job.pk, "..%2F..%2Fsettings.py"])
    )
    assert escape.status_code == 404
    status = researcher_client.get(job.status_url)
    assert b"100%" in status.content


def test_a_study_without_readings_shows_a_note_not_an_error(researcher_client: Client) -> None:
    from tests.contests.factories import StudyFactory

    study = StudyFactory(title="Empty")
    response = researcher_client.get(reverse("analysis:study", args=[study.pk]))
    assert response.status_code == 200
    assert "No readings yet." in response.content.decode()
    index = researcher_client.get(reverse("analysis:index")).content.decode()
    assert "Empty" in index


def test_the_plan_page_starts_from_the_van_dyke_example_with_its_observed_effect(
    researcher_client: Client,
) -> None:
    page = researcher_client.get(reverse("analysis:plan")).content.decode()
    assert 'id="power-table"' in page
    assert 'id="observed-effect"' in page
    assert "Observed effect (0 - 1): -0.0438, 95% CI -0.0880 to 0.0004" in page
    assert "<svg" in page
    # RJafroc's Van Dyke sample size: 10 readers need 163 cases for 80% power.
    planned = researcher_client.get(
        reverse("analysis:plan"),
        {"readers": "10", "cases": "163", "analysis": "RRRC", "alpha": "0.05", "power": "0.8"},
    ).content.decode()
    assert "80%" in planned
    assert "<td>163</td>" in planned


def test_the_plan_page_uses_a_studys_comparison_or_says_it_has_none(
    study_setup: StudySetup, researcher_client: Client
) -> None:
    query = {**{"readers": "4, 8", "cases": "50, 100"}, "alpha": "0.05", "power": "0.8"}
    page = researcher_client.get(
        reverse("analysis:plan"), {**query, "study": study_setup.study.pk, "analysis": "RRRC"}
    ).content.decode()
    assert "Contest 2: 1. Timed vs 2. With AI" in page
    assert "accuracy" in page
    study_setup.hinted.delete()
    page = researcher_client.get(
        reverse("analysis:plan"), {**query, "study": study_setup.study.pk, "analysis": "RRRC"}
    ).content.decode()
    assert 'id="plan-problem"' in page


def test_the_results_page_says_which_analysis_fits_and_links_to_planning(
    study_setup: StudySetup, researcher_client: Client
) -> None:
    page = researcher_client.get(reverse("analysis:study", args=[study_setup.study.pk]))
    text = page.content.decode()
    assert "Which analysis fits" in text
    assert "Cases nested within modality" in text
    assert "MRMCaov" in text
    assert reverse("analysis:plan") in text
    assert "balanced accuracy" in text
