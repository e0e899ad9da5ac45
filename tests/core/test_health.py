"""/healthz: the database, the broker and the media store, each reported; 503 when one is down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_it_reports_every_part_healthy(client: Client) -> None:
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "media"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"] == "no-store"


def test_it_leaves_no_file_in_the_media_store(client: Client, settings: Any) -> None:
    client.get(reverse("core:healthz"))
    folder = Path(settings.MEDIA_ROOT) / "healthz"
    assert not folder.exists() or not any(folder.iterdir())


def test_a_broker_that_cannot_be_reached_gives_503(client: Client, monkeypatch: Any) -> None:
    # A port nothing listens on: the check must fail fast and say so. Only the check's own
    # connection points there: changing the app's broker settings instead left later tests that
    # queue a task (on the embedded filesystem broker) publishing to the dead port.
    connect = celery_app.connection_for_write
    monkeypatch.setattr(
        celery_app, "connection_for_write", lambda: connect("redis://127.0.0.1:9/0")
    )
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_a_media_store_that_cannot_be_written_gives_503(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    # Below a plain file: no folder can be made there, whoever the process runs as.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["media"]["ok"] is False


def test_a_database_that_fails_gives_503(client: Client, monkeypatch: Any) -> None:
    def broken_cursor(*args: Any, **kwargs: Any) -> Any:
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"].startswith("OperationalError")
