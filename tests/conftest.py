"""Fixtures every app's tests share. App-specific ones live in tests/<app>/conftest.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from core.permissions import RESEARCHERS_GROUP
from tests.worker import celery_worker_process

__all__ = ["celery_worker_process"]  # a fixture: a real Celery worker (tests/worker.py)


@pytest.fixture(autouse=True)
def _isolated_media(settings: Any, tmp_path: Path) -> None:
    """Every test writes its files under its own temporary folder, never into var/, and starts
    with an empty cache of its own (test databases reuse ids that a shared cache would mix)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAGE_CACHE_DIR = tmp_path / "cache"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
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
