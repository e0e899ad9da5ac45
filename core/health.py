"""Is this installation able to serve: the database, the broker and the media store, each checked.

Used by ``/healthz`` (load balancers, container healthchecks). Each check returns None when fine
or one line saying what is wrong; none of them may hang for long.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from config.celery import app as celery_app

BROKER_TIMEOUT_S = 3.0


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None


def check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_S)
    except Exception as error:
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None


def check_media() -> str | None:
    """Write, read back and delete a small file through the storage API (disk, NFS or S3)."""
    name = f"healthz/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        try:
            with default_storage.open(saved) as handle:
                if handle.read() != b"ok":
                    return "the media store gave back other bytes than were written"
        finally:
            default_storage.delete(saved)
    except Exception as error:
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "broker": check_broker,
    "media": check_media,
}


def health() -> tuple[bool, dict[str, dict[str, object]]]:
    """(all fine, {check: {"ok": bool, "ms": float, "error": str}})."""
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        error = check()
        entry: dict[str, object] = {
            "ok": error is None,
            "ms": round(1000 * (time.perf_counter() - started), 1),
        }
        if error is not None:
            entry["error"] = error
        results[name] = entry
    return all(entry["ok"] for entry in results.values()), results
