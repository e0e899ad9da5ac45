"""Web load: many GPs answering cases at once over loopback, against gunicorn.

Each simulated reader is a real HTTP client with its own session (opened through its invitation
link), answering the cases of an untimed phase with htmx posts as the case page does. Prints
answers per second and latency percentiles, and, as the baseline measured by the same clients
against the same server in the same run, the rate of the trivial /healthz request.

    python bench/web_load.py                                  # SQLite in a temporary folder
    python bench/web_load.py --database-url postgres://postgres@127.0.0.1:5432/webbench
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE_KEY = re.compile(r'name="case" value="([^"]+)"')


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=16, help="concurrent GPs")
    parser.add_argument("--cases", type=int, default=30, help="cases each GP answers")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(readers: int, cases: int) -> list[str]:
    """A study with one untimed phase of ``cases`` held-out images and ``readers`` GPs who have
    consented and filled their profile; returns their invitation tokens."""
    import django

    django.setup()
    from django.utils import timezone

    from contests.services.builder import phase_cases_draw, phase_create, study_create, study_open
    from contests.services.invitations import invitation_accept, invitation_create_batch
    from contests.services.participants import participant_profile_update

    # The tests' bulk catalogue: hundreds of held-out images sharing one small JPEG, in a blink.
    from tests.contests.researcher_catalogue import held_out_catalogue

    now = timezone.now()
    dataset = held_out_catalogue(name="web-load", per_class=cases // 7 + 1)
    study = study_create(title="Web load", dataset=dataset)
    phase = phase_create(study=study, title="Untimed", case_order="shuffled")
    phase_cases_draw(phase=phase, dataset=dataset, n=cases, seed=0)
    study_open(study=study)
    tokens = []
    for invitation, token in invitation_create_batch(study=study, n=readers, now=now):
        participant = invitation_accept(
            invitation=invitation, consent_version=study.consent_version, language="en", now=now
        )
        participant_profile_update(
            participant=participant,
            years_in_practice=10,
            specialty="general_practice",
            dermoscopy_training="none",
            country="AR",
            now=now,
        )
        tokens.append(token)
    return tokens


class Reader:
    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> str:
        csrf = next(c.value or "" for c in self.cookies if c.name == "csrftoken")
        request = urllib.request.Request(  # noqa: S310 - http to loopback only
            self.base + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"X-CSRFToken": csrf, "HX-Request": "true", "Referer": self.base + path},
        )
        with self.opener.open(request, timeout=60) as response:
            return response.read().decode()


def answer_cases(base: str, token: str, cases: int, latencies: list[float]) -> None:
    reader = Reader(base)
    reader.get(f"/take/i/{token}/")
    page = reader.get("/take/phase/1/")
    for number in range(cases):
        match = CASE_KEY.search(page)
        if match is None:
            raise RuntimeError(f"no case on the page after {number} answers")
        started = time.perf_counter()
        page = reader.post(
            "/take/phase/1/answer/", {"case": match.group(1), "diagnosis": str(number % 7 + 1)}
        )
        latencies.append(time.perf_counter() - started)


def health_checks(base: str, count: int, latencies: list[float]) -> None:
    reader = Reader(base)
    for _ in range(count):
        started = time.perf_counter()
        reader.get("/healthz")
        latencies.append(time.perf_counter() - started)


def run_threads(target: Callable[..., None], args_per_thread: list[tuple[object, ...]]) -> float:
    threads = [threading.Thread(target=target, args=args) for args in args_per_thread]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


def main() -> int:
    args = parse()
    folder = Path(tempfile.mkdtemp(prefix="web-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(folder),
        "DATABASE_URL": args.database_url or f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True, env=env, cwd=ROOT)
    tokens = prepare(args.readers, args.cases)

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
            "--threads", str(args.threads), "--log-level", "warning",
        ],
        env=env, cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        # Untimed warm-up: every gunicorn worker imports the project on its first requests.
        run_threads(health_checks, [(base, 5, []) for _ in range(args.readers)])
        health: list[float] = []
        health_seconds = run_threads(
            health_checks, [(base, args.cases, health) for _ in range(args.readers)]
        )
        answers: list[float] = []
        answer_seconds = run_threads(
            answer_cases, [(base, token, args.cases, answers) for token in tokens]
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    if len(answers) != args.readers * args.cases:
        print(f"only {len(answers)} of {args.readers * args.cases} answers went through")
        return 1
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    health_rate = len(health) / health_seconds
    answer_rate = len(answers) / answer_seconds
    print(
        f"{args.readers} readers x {args.cases} cases, gunicorn {args.workers} workers x "
        f"{args.threads} threads, {database}, loopback"
    )
    print("| request | per second | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for name, rate, values in (
        ("/healthz (baseline)", health_rate, health),
        ("answer + next case (htmx)", answer_rate, answers),
    ):
        print(
            f"| {name} | {rate:.0f} | {percentile(values, 50):.0f} | "
            f"{percentile(values, 95):.0f} | {percentile(values, 99):.0f} |"
        )
    print(f"answers/s as a share of the baseline's requests/s: {answer_rate / health_rate:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
