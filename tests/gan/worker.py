"""A real Celery worker process for the gan tests, on a queue of its own, using the test database.

The worker is another process: it sees only committed rows, so tests using it ask for
``transactional_db``. On SQLite the test database must be a file (not ``:memory:``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    auth = f"{auth}@" if auth else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@dataclass
class Worker:
    queue: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.process.poll() is not None:
                pytest.fail(f"The Celery worker exited:\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"Timed out after {timeout} s; worker log:\n{self.output()[-4000:]}")
            time.sleep(0.5)


@pytest.fixture
def gan_worker(transactional_db: Any, tmp_path: Path) -> Iterator[Worker]:
    name = str(connection.settings_dict["NAME"])
    if name.startswith(("file:", ":memory:")) or "mode=memory" in name:
        pytest.fail("The worker needs a test database another process can open (not :memory:)")
    queue = f"test-gan-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMAGE_CACHE_DIR": str(settings.IMAGE_CACHE_DIR),
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "OMP_NUM_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "-Q", queue, "-n", f"{queue}@%h", "--pool", "solo", "--concurrency", "1",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    with log.open("wb") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle)
    worker = Worker(queue=queue, process=process, log=log)
    worker.wait_for(lambda: " ready." in worker.output(), timeout=120)
    try:
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
