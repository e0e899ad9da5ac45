from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from tests.analysis.conftest import StudySetup

pytestmark = pytest.mark.django_db


def test_the_study_admin_offers_a_zip_of_every_export(
    study_setup: StudySetup, admin_client: Client
) -> None:
    response = admin_client.post(
        reverse("admin:contests_study_changelist"),
        {"action": "export_studies", "_selected_action": [study_setup.study.pk]},
    )
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    pk = study_setup.study.pk
    assert sorted(names) == [
        f"study-{pk}/imrmc.csv",
        f"study-{pk}/per_class.csv",
        f"study-{pk}/readers.csv",
        f"study-{pk}/readings.csv",
    ]


def test_report_jobs_are_listed_in_the_admin(study_setup: StudySetup, admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:analysis_reportjob_changelist")).status_code == 200
