"""Container healthchecks, one per role; exit 0 when healthy.

python docker/healthcheck.py web      # GET /healthz: database, broker and media store
python docker/healthcheck.py worker   # the Celery worker of this container answers a ping
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request


def web() -> int:
    bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
    port = bind.rsplit(":", 1)[-1]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"}
    )
    try:
        with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310 - fixed local URL
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


def worker() -> int:
    name = os.environ.get("CELERY_WORKER_NAME", "") or f"celery@{socket.gethostname()}"
    result = subprocess.run(  # noqa: S603 - fixed command
        [sys.executable, "-m", "celery", "-A", "config", "inspect", "ping", "-d", name, "-t", "5"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if result.returncode != 0:
        print(result.stdout[-500:], result.stderr[-500:], file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    role = sys.argv[1] if len(sys.argv) > 1 else "web"
    sys.exit({"web": web, "worker": worker}[role]())
