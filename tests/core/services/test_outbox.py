"""Queueing survives the broker: a real Redis server, started by the test on a free port,
stopped while a researcher queues a report, and started again."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from django.test import Client
from django.urls import reverse

from analysis.models import ReportJob
from config.celery import app as celery_app
from core.models import JobStatus, OutboxMessage
from core.services import outbox_deliver
from tests.contests.factories import StudyFactory

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class RedisServer:
    """A redis-server of the test's own (never the shared one on 6379)."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


def _drop_broker_connections() -> None:
    # Celery keeps its connection and producer pools: let the next send open new ones.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:
    """A private Redis, with the Celery app of this process pointed at it."""
    port = free_port()
    assert port != 6379
    server = RedisServer(port=port, folder=tmp_path)
    before = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)
    # Celery reads the variable before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    celery_app.conf.broker_url = server.url
    celery_app.conf.broker_transport_options = {"socket_connect_timeout": 2}
    _drop_broker_connections()
    try:
        yield server
    finally:
        server.stop()
        monkeypatch.undo()
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = before
        _drop_broker_connections()


def queued_tasks(server: RedisServer, queue: str) -> list[dict[str, Any]]:
    """The messages waiting in ``queue`` (kombu's Redis transport keeps one list per queue)."""
    return [json.loads(raw)["headers"] for raw in server.client().lrange(queue, 0, -1)]


@pytest.mark.django_db
def test_a_report_queued_while_the_broker_is_down_is_delivered_once_when_it_is_back(
    redis_server: RedisServer,
    researcher_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    study = StudyFactory()
    redis_server.start()
    assert celery_app.connection_for_write().as_uri().endswith(f"127.0.0.1:{redis_server.port}/0")
    redis_server.stop()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = researcher_client.post(reverse("analysis:report_create", args=[study.pk]))
    assert response.status_code == 302  # not a 500
    assert time.monotonic() - started < 15

    job = ReportJob.objects.get(study=study)
    assert job.status == JobStatus.PENDING
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.kwargs) == (ReportJob.task_name, {"job_id": job.pk})
    assert (message.sent_at, message.tries) == (None, 1)
    assert "OperationalError" in message.last_error
    assert job.is_waiting_for_broker
    status = researcher_client.get(reverse("analysis:report_status", args=[job.pk]))
    assert "queued, the job system is unreachable" in status.content.decode()
    assert outbox_deliver() == 0  # still down: kept, nothing lost

    redis_server.start()
    assert queued_tasks(redis_server, "default") == []
    assert outbox_deliver() == 1
    waiting = queued_tasks(redis_server, "default")
    assert len(waiting) == 1
    assert waiting[0]["task"] == ReportJob.task_name
    assert f"'job_id': {job.pk}" in waiting[0]["kwargsrepr"]
    message.refresh_from_db()
    assert message.sent_at is not None
    assert not job.is_waiting_for_broker
    # The sender runs again (the next beat): nothing is sent twice.
    assert outbox_deliver() == 0
    assert len(queued_tasks(redis_server, "default")) == 1
    status = researcher_client.get(reverse("analysis:report_status", args=[job.pk]))
    assert "unreachable" not in status.content.decode()


@pytest.mark.django_db
def test_a_rolled_back_transaction_queues_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.db import transaction

    from analysis.services import report_job_create

    study = StudyFactory()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        report_job_create(study=study)
        transaction.set_rollback(True)
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert not ReportJob.objects.exists()
