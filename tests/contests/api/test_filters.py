"""The contests API's filters (contests.api.filters) narrow the lists."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from contests.models import HintStyle, StudyStatus
from contests.services.invitations import invitation_create_batch
from tests.contests.factories import PhaseFactory, StudyFactory, TrainingRunFactory
from tests.lesions.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def test_studies_filter_by_status_data_set_and_title(token_client: Any) -> None:
    ham = DatasetFactory(name="ham")
    StudyFactory(title="Buenos Aires 2020", status=StudyStatus.CLOSED, dataset=ham)
    StudyFactory(title="Pilot", status=StudyStatus.DRAFT)
    url = "/api/contests/studies/"
    assert token_client.get(url).json()["count"] == 2
    closed = token_client.get(url, {"status": "closed"}).json()["results"]
    assert [s["title"] for s in closed] == ["Buenos Aires 2020"]
    assert token_client.get(url, {"dataset": "ham"}).json()["count"] == 1
    assert token_client.get(url, {"title": "pilot"}).json()["count"] == 1
    assert token_client.get(url, {"created_after": "2999-01-01T00:00:00Z"}).json()["count"] == 0


def test_phases_filter_by_study_timing_and_hint(token_client: Any) -> None:
    study, other = StudyFactory(), StudyFactory()
    PhaseFactory(study=study, order=1)
    PhaseFactory(study=study, order=2, time_limit_seconds=45)
    PhaseFactory(
        study=other, order=1, time_limit_seconds=45, hint_style=HintStyle.ALL,
        hint_run=TrainingRunFactory(),
    )  # fmt: skip
    url = "/api/contests/phases/"
    assert token_client.get(url, {"study": study.pk}).json()["count"] == 2
    assert token_client.get(url, {"timed": "true"}).json()["count"] == 2
    assert token_client.get(url, {"timed": "false"}).json()["count"] == 1
    hinted = token_client.get(url, {"hint_style": "all"}).json()["results"]
    assert [p["study"] for p in hinted] == [other.pk]


def test_invitations_filter_by_study_and_label(token_client: Any) -> None:
    study, other = StudyFactory(), StudyFactory()
    now = timezone.now()
    invitation_create_batch(study=study, n=2, now=now, label="site A")
    invitation_create_batch(study=other, n=1, now=now, label="site B")
    url = "/api/contests/invitations/"
    assert token_client.get(url, {"study": study.pk}).json()["count"] == 2
    assert token_client.get(url, {"label": "site B"}).json()["count"] == 1
    assert token_client.get(url, {"used": "true"}).json()["count"] == 0
