"""Error pages: in the reader's language, and a clear 503 when the database is away or stalled."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, OperationalError
from django.test import Client, RequestFactory

from core.views.errors import server_error

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db
def test_a_missing_page_is_a_404_page_in_the_readers_language(
    client: Client, settings: Any
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get("/take/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert response["Cache-Control"] == "no-store"


def test_a_database_that_cannot_be_reached_gives_503_not_500(rf: RequestFactory) -> None:
    try:
        raise OperationalError("could not connect to server: Connection timed out")
    except OperationalError:
        response = server_error(rf.get("/take/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "briefly unavailable" in response.content.decode()


def test_any_other_failure_is_a_500_page(rf: RequestFactory) -> None:
    try:
        raise DatabaseError("a constraint the code got wrong")
    except DatabaseError:
        response = server_error(rf.get("/take/"))
    assert response.status_code == 500
    assert "went wrong on our side" in response.content.decode()


@pytest.fixture
def stalled_database() -> Iterator[int]:
    """A port that accepts connections and never answers: a database that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_a_stalled_database_gives_a_503_page_within_seconds(
    stalled_database: int, tmp_path: Path
) -> None:
    script = textwrap.dedent(
        """
        import django, time
        django.setup()
        from django.test import Client
        from django.urls import resolve
        resolve("/")  # imports the URL conf (and torch behind it): a server does that at start
        client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
        started = time.monotonic()
        response = client.get("/take/i/some-token/")
        print(response.status_code, round(time.monotonic() - started, 1))
        """
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{stalled_database}/stalled",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "VAR_DIR": str(tmp_path),
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    status, seconds = result.stdout.split()
    assert status == "503"
    assert float(seconds) < 10
    assert time.monotonic() - started < 30


@pytest.mark.django_db
def test_a_query_running_past_the_statement_timeout_is_stopped(tmp_path: Path) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts are a PostgreSQL setting; SQLite has none to test")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    script = textwrap.dedent(
        """
        import django, time
        django.setup()
        from django.db import connection, OperationalError
        started = time.monotonic()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(5)")
            print("finished", round(time.monotonic() - started, 1))
        except OperationalError as error:
            print("stopped", round(time.monotonic() - started, 1))
        """
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "DATABASE_STATEMENT_TIMEOUT_MS": "500",
        "VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    outcome, seconds = result.stdout.split()
    assert outcome == "stopped"
    assert float(seconds) < 3
