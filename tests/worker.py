"""Real Celery worker processes for integration tests, pointed at the test database.

Use the ``celery_worker_process`` fixture in a test that also asks for ``transactional_db`` (the
worker is another process: it sees only committed rows). The worker listens on a queue of its
own, so send tasks with ``task.apply_async(kwargs=..., queue=worker.queue)``; nothing else on
the broker is consumed, and nothing left over from another run reaches it. A task that a page or
a service queues itself goes there through ``route_to_worker``.

``celery_workers`` starts a fleet: several workers on one queue of the test's own, each with
its own image cache and work folder (as on separate machines) and the media store shared.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    name: str = ""

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

    def kill(self) -> None:
        """``kill -9``: the worker dies at once, saying nothing to the broker or the database."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_worker(
    *, queue: str, name: str, log: Path, env: dict[str, str] | None = None
) -> WorkerProcess:
    """A solo-pool worker consuming ``queue``, started and ready (or the test fails)."""
    if connection.settings_dict["NAME"].startswith(("file:", ":memory:")):
        pytest.fail("The worker needs a test database another process can open (not :memory:)")
    full_env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMAGE_CACHE_DIR": str(settings.IMAGE_CACHE_DIR),
        "WORK_DIR": str(settings.WORK_DIR),
        "JOB_HEARTBEAT_SECONDS": str(settings.JOB_HEARTBEAT_SECONDS),
        "JOB_LEASE_SECONDS": str(settings.JOB_LEASE_SECONDS),
        "JOB_MAX_ATTEMPTS": str(settings.JOB_MAX_ATTEMPTS),
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "OMP_NUM_THREADS": "2",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "-Q", queue, "-n", f"{name}@%h", "--pool", "solo", "--concurrency", "1",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    with log.open("wb") as handle:
        process = subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=handle, stderr=subprocess.STDOUT
        )
    worker = WorkerProcess(queue=queue, process=process, log=log, name=name)
    deadline = time.monotonic() + 120
    while " ready." not in worker.output():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The Celery worker did not start:\n{worker.output()[-4000:]}")
        time.sleep(0.3)
    return worker


@pytest.fixture
def celery_worker_process(transactional_db: Any, tmp_path: Path) -> Iterator[WorkerProcess]:
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = start_worker(queue=queue, name=queue, log=tmp_path / "worker.log")
    try:
        yield worker
    finally:
        worker.stop()


@dataclass
class Fleet:
    """Workers on one queue of the test's own, each with its own image cache and work folder,
    like separate machines sharing the database, the broker and the media store."""

    queue: str
    folder: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    def start(self, name: str, *, threads: int = 1) -> WorkerProcess:
        own = self.folder / "machines" / name
        worker = start_worker(
            queue=self.queue,
            name=name,
            log=self.folder / f"worker-{name}.log",
            env={
                "IMAGE_CACHE_DIR": str(own / "cache"),
                "WORK_DIR": str(own / "work"),
                "OMP_NUM_THREADS": str(threads),
                "MKL_NUM_THREADS": str(threads),
            },
        )
        self.workers.append(worker)
        return worker


@pytest.fixture
def celery_workers(transactional_db: Any, tmp_path: Path) -> Iterator[Fleet]:
    """A ``Fleet``: start its workers with ``fleet.start(name)``; all stop at the end."""
    fleet = Fleet(queue=f"test-{uuid.uuid4().hex[:12]}", folder=tmp_path)
    try:
        yield fleet
    finally:
        for worker in fleet.workers:
            worker.stop()


def route_to_worker(monkeypatch: pytest.MonkeyPatch, task: Any, worker: Any) -> None:
    """Send ``task`` to the test's own worker (or fleet: anything with a ``queue``) when the
    code under test queues it itself."""
    monkeypatch.setattr(task, "queue", worker.queue)
    # Celery caches a task's send options on first use; let it read the new queue.
    monkeypatch.setattr(task, "_exec_options", None)
