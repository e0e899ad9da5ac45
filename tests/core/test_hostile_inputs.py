"""Hostile numbers in every researcher form and admin page: a 400-class answer that names the
field, never a 500, and nothing stored that would break a page later."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from classifier.models import Experiment
from contests.models import Phase, Study
from tests.contests.factories import PhaseFactory, StudyFactory
from tests.contests.researcher_catalogue import held_out_catalogue

pytestmark = pytest.mark.django_db

HOSTILE = ("1e300", "1e20", "inf", "-inf", "nan", "1e400", "-1", "99999999999999999999")


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_superuser("root", "r@example.org", "a-long-passphrase-3")
    client = Client()
    client.force_login(user)
    return client


def _refused(response: Any, field: str) -> None:
    assert response.status_code in (200, 400), response.status_code
    errors = response.context["form"].errors
    assert field in errors, (field, errors)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_study_form_refuses_an_unbounded_grace(researcher_client: Client, value: str) -> None:
    dataset = held_out_catalogue(per_class=2)
    response = researcher_client.post(
        reverse("contests:study_new"),
        {
            "title": "T", "dataset": dataset.pk, "consent_text": "c", "consent_version": "1",
            "languages": ["en"], "grace_seconds": value,
        },
    )  # fmt: skip
    _refused(response, "grace_seconds")
    assert not Study.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("time_limit_seconds", v) for v in HOSTILE]
    + [("time_limit_seconds", "4"), ("time_limit_seconds", "3601"), ("seed", "1e20")]
    + [("proportions", f"mel={v}") for v in ("inf", "1e400", "nan", "-1", "2")]
    + [("proportions", "mel=0, nv=0")],
)
def test_the_phase_form_refuses_unbounded_numbers(
    researcher_client: Client, field: str, value: str
) -> None:
    study = StudyFactory(dataset=held_out_catalogue(per_class=2))
    data = {
        "title": "P", "cases": "3", "seed": "0", "hint_style": "none", "case_order": "shuffled",
        "proportions": "", "time_limit_seconds": "", "instructions": "",
    }  # fmt: skip
    data[field] = value
    response = researcher_client.post(reverse("contests:phase_add", args=[study.pk]), data)
    assert response.status_code == 400
    assert field in response.context["phase_form"].errors
    assert not Phase.objects.filter(study=study).exists()


@pytest.mark.parametrize("value", [*HOSTILE, "0", "366", "1e12"])
def test_the_invitations_form_refuses_an_unbounded_expiry(
    researcher_client: Client, value: str
) -> None:
    study = StudyFactory()
    response = researcher_client.post(
        reverse("contests:invitations_create", args=[study.pk]),
        {"n": "2", "label": "", "expires_in_days": value},
    )
    assert response.status_code == 400
    assert "expires_in_days" in response.context["invitations_form"].errors
    assert not study.invitations.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [(f, v) for f in ("epochs", "batch_size", "lr", "weight_decay", "dropout") for v in HOSTILE]
    + [("early_stopping_patience", "1e20"), ("seed", "-1"), ("synthetic_per_class", "1e9")],
)
def test_the_experiment_form_refuses_unbounded_numbers(
    researcher_client: Client, field: str, value: str
) -> None:
    dataset = held_out_catalogue(per_class=2)
    data = {
        "name": "e", "dataset": dataset.pk, "architecture": "resnet18", "resolution": "low",
        "fusion": "concat", "epochs": "2", "batch_size": "8", "lr": "0.001",
        "weight_decay": "0.0001", "optimizer": "adamw", "schedule": "cosine",
        "imbalance": "weighted_loss", "dropout": "0.5", "seed": "0",
    }  # fmt: skip
    data[field] = value
    response = researcher_client.post(reverse("classifier:experiment-new"), data)
    _refused(response, field)
    assert not Experiment.objects.exists()


@pytest.mark.parametrize("value", ["1e300", "inf", "nan", "-1", "121"])
def test_trying_a_model_refuses_an_unbounded_age(researcher_client: Client, value: str) -> None:
    response = researcher_client.post(reverse("classifier:try"), {"age": value})
    _refused(response, "age")


@pytest.mark.parametrize("value", ["1e300", "inf", "nan", "-1"])
def test_the_admin_refuses_an_unbounded_grace_and_time_limit(
    admin_client: Client, value: str
) -> None:
    study = StudyFactory()
    phase = PhaseFactory(study=study, order=1)
    response = admin_client.post(
        reverse("admin:contests_phase_change", args=[phase.pk]),
        {
            "study": study.pk, "order": "1", "title": "x", "time_limit_seconds": value,
            "hint_style": "none", "case_order": "shuffled",
            "cases-TOTAL_FORMS": "0", "cases-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 200  # the form again, with its errors
    assert "time_limit_seconds" in response.context["adminform"].form.errors
    phase.refresh_from_db()
    assert phase.time_limit_seconds is None or phase.time_limit_seconds <= 3600


def test_the_database_refuses_what_no_form_would_let_through() -> None:
    from django.db import IntegrityError, transaction

    study = StudyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Study.objects.filter(pk=study.pk).update(grace_seconds=1e300)
    with pytest.raises(IntegrityError), transaction.atomic():
        PhaseFactory(study=study, order=1, time_limit_seconds=10**9)
