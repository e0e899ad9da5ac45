"""Fixtures every app's tests share. App-specific ones live in tests/<app>/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from core.permissions import RESEARCHERS_GROUP
from core.services import api_token_create
from tests.worker import celery_worker_process, celery_workers

# Fixtures: a real Celery worker, and a fleet of them (tests/worker.py).
__all__ = ["celery_worker_process", "celery_workers"]


@pytest.fixture(autouse=True)
def _english_to_start() -> Iterator[None]:
    """Every test starts in the default language: a page requested in Spanish leaves Spanish
    active in the test's thread (the locale middleware does not switch back)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _isolated_media(settings: Any, tmp_path: Path) -> None:
    """Every test writes its files under its own temporary folder, never into var/, and starts
    with an empty cache of its own (test databases reuse ids that a shared cache would mix)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAGE_CACHE_DIR = tmp_path / "cache"
    settings.WORK_DIR = tmp_path / "work"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        },
        # Rate-limit counters start at zero in every test.
        "limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path / "limits"),
        },
    }


@pytest.fixture
def researcher(django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user(username="alice", password="a-long-passphrase-1")
    group, _ = Group.objects.get_or_create(name=RESEARCHERS_GROUP)
    user.groups.add(group)
    return user


@pytest.fixture
def researcher_client(researcher: Any) -> Client:
    client = Client()
    client.force_login(researcher)
    return client


@pytest.fixture
def token_client(researcher: Any) -> APIClient:
    """The API as a script calls it: a researcher's personal token, no session."""
    _row, token = api_token_create(user=researcher, name="tests", now=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
