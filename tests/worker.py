"""A real Celery worker process for integration tests, pointed at the test database.

Use the ``celery_worker_process`` fixture in a test that also asks for ``transactional_db`` (the
worker is another process: it sees only committed rows). The worker listens on a queue of its
own, so send tasks with ``task.apply_async(kwargs=..., queue=worker.queue)``; nothing else on
the broker is consumed, and nothing left over from another run reaches it. A task that a page or
a service queues itself goes there through ``route_to_worker``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """The URL of the database the test runs against (the test copy, not the real one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@dataclass
class WorkerProcess:
    queue: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, predicate: Any, *, timeout: float, every: float = 0.5) -> None:
        """Poll ``predicate()`` until true; fail with the worker's log after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.process.poll() is not None:
                pytest.fail(f"The Celery worker exited:\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"Timed out after {timeout} s; worker log:\n{self.output()[-4000:]}")
            time.sleep(every)


@pytest.fixture
def celery_worker_process(transactional_db: Any, tmp_path: Path) -> Iterator[WorkerProcess]:
    if connection.settings_dict["NAME"].startswith(("file:", ":memory:")):
        pytest.fail("The worker needs a test database another process can open (not :memory:)")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMAGE_CACHE_DIR": str(settings.IMAGE_CACHE_DIR),
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "OMP_NUM_THREADS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "-Q", queue, "-n", f"{queue}@%h", "--pool", "solo", "--concurrency", "1",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    with log.open("wb") as handle:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
        )
    worker = WorkerProcess(queue=queue, process=process, log=log)
    deadline = time.monotonic() + 120
    while " ready." not in worker.output():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The Celery worker did not start:\n{worker.output()[-4000:]}")
        time.sleep(0.3)
    try:
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def route_to_worker(monkeypatch: pytest.MonkeyPatch, task: Any, worker: WorkerProcess) -> None:
    """Send ``task`` to the test's own worker when the code under test queues it itself."""
    monkeypatch.setattr(task, "queue", worker.queue)
    # Celery caches a task's send options on first use; let it read the new queue.
    monkeypatch.setattr(task, "_exec_options", None)
