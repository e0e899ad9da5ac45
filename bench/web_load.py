"""Web load, open loop: GPs arrive at a fixed rate, think between cases and fetch every image.

Each step of the run asks for a rate of answers per second: GPs arrive at ``rate / cases`` a
second, each opens its invitation link and the phase page, and then, case after case, fetches the
case's image as a browser does, thinks (``--think`` seconds on average), and answers by htmx,
which returns the next case. The clients keep to the schedule whatever the server does (an open
loop), so a slow server shows as latency, not as a politely lower rate. The requests started after
the step's ramp (``cases x think``) are measured; the step holds when their p99 stays under
``--p99-ms`` with no error. Steps go up until one fails.

Beside the latencies it reports, per answer, the CPU of the server (gunicorn's process tree),
of PostgreSQL (the postmaster's tree, backends included) and of the clients (this process),
read from /proc; in the same run, the baseline: a static file asked back to back by the same
clients from the same server. After the run it checks in the database that every answer the
server accepted is stored exactly once.

    python bench/web_load.py --private-postgres            # a PostgreSQL of its own (initdb)
    python bench/web_load.py --database-url postgres://postgres@127.0.0.1:5432/webbench
    python bench/web_load.py                                # SQLite in a temporary folder
"""

from __future__ import annotations

import argparse
import asyncio
import io
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import _proc_cpu as proc_cpu
from _pg_private import PrivatePostgres
from _web_client import Record, Sample, baseline_client, gp_session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE_PATH = "/static/css/site.css"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="40,60,80,100,120,140,160,180,200,220,240")
    parser.add_argument("--cases", type=int, default=10, help="cases each GP answers")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between cases")
    parser.add_argument("--measure", type=float, default=20.0, help="measured seconds a step")
    parser.add_argument("--p99-ms", type=float, default=250.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--private-postgres", action="store_true", help="initdb one of its own")
    parser.add_argument("--keep-going", action="store_true", help="run every step")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(readers: int, cases: int) -> tuple[int, list[str]]:
    """A study with one untimed phase of ``cases`` held-out 600x450 images and ``readers`` GPs
    who consented and filled their profile (written in bulk: the same rows the services write);
    returns the study's id and the GPs' invitation tokens."""
    import django

    django.setup()
    import secrets

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from contests.models import Invitation, Participant
    from contests.services.builder import phase_cases_draw, phase_create, study_create, study_open
    from contests.services.invitations import token_hash
    from lesions.models import Image
    from lesions.standin.render import render

    # The tests' bulk catalogue: held-out images sharing one JPEG, in a blink.
    from tests.contests.researcher_catalogue import held_out_catalogue

    now = timezone.now()
    dataset = held_out_catalogue(name=f"web-load-{now:%H%M%S}", per_class=cases // 7 + 1)
    # The shared file as large as a real case: a 600x450 stand-in, about 40 KB.
    picture = render({"image_id": "ISIC_0000000", "dx": "mel", "age": 50, "localization": "back"})
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=90)
    path = default_storage.save(f"lesions/{dataset.pk}/case.jpg", ContentFile(buffer.getvalue()))
    Image.objects.filter(dataset=dataset).update(file=path, width=600, height=450)

    study = study_create(title="Web load", dataset=dataset)
    phase = phase_create(study=study, title="Untimed", case_order="shuffled")
    phase_cases_draw(phase=phase, dataset=dataset, n=cases, seed=0)
    study_open(study=study)
    participants = Participant.objects.bulk_create(
        Participant(
            study=study,
            pseudonym=f"R{i + 1:05d}",
            consent_version=study.consent_version,
            consented_at=now,
            created_at=now,
            years_in_practice=10,
            specialty="general_practice",
            dermoscopy_training="none",
            country="AR",
            profile_completed_at=now,
        )
        for i in range(readers)
    )
    tokens = [secrets.token_urlsafe(32) for _ in participants]
    Invitation.objects.bulk_create(
        Invitation(study=study, token_hash=token_hash(token), participant=p, used_at=now)
        for token, p in zip(tokens, participants, strict=True)
    )
    return study.pk, tokens


def stored_exactly_once(study_id: int, answered: list[tuple[str, str]]) -> dict[str, int]:
    """The answers the clients saw accepted against the database's answered readings and
    answer events of the study."""
    from collections import Counter

    from contests.models import Event, Outcome, Reading
    from contests.services.invitations import token_hash

    readings = Reading.objects.filter(case__phase__study=study_id, outcome=Outcome.ANSWERED)
    stored = Counter(
        readings.values_list("participant__invitation__token_hash", "case__key").iterator()
    )
    sent = Counter((token_hash(token), key) for token, key in answered)
    events = Event.objects.filter(participant__study=study_id, kind="answered").count()
    return {
        "accepted by the server": len(answered),
        "answered readings": sum(stored.values()),
        "accepted but missing": sum((sent - stored).values()),
        "accepted twice": sum(1 for n in sent.values() if n > 1),
        "stored, never accepted": sum((stored - sent).values()),
        "answer events": events,
    }


@dataclass
class Cpu:
    server: float
    database: float
    clients: float
    machine: float


def cpu_now(server_pid: int, postmaster_pid: int | None) -> Cpu:
    return Cpu(
        server=proc_cpu.tree_seconds(server_pid),
        database=proc_cpu.tree_seconds(postmaster_pid) if postmaster_pid else 0.0,
        clients=proc_cpu.own_seconds(os.getpid()),
        machine=proc_cpu.machine_busy_seconds(),
    )


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


@dataclass
class Step:
    target: float
    rate: float
    samples: list[Sample]
    errors: list[str]
    cpu: Cpu  # seconds spent during the measured window
    answers: int
    load: str
    answered: list[tuple[str, str]]  # every (token, case key) accepted in the step

    def p99(self, kind: str | None = None) -> float:
        return percentile([s.seconds for s in self.samples if kind in (None, s.kind)], 99)

    def holds(self, p99_ms: float) -> bool:
        return not self.errors and self.p99() < p99_ms and self.rate >= 0.9 * self.target


async def run_step(
    *, host: str, port: int, target: float, tokens: list[str], args: argparse.Namespace,
    server_pid: int, postmaster_pid: int | None,
) -> Step:  # fmt: skip
    record = Record()
    ramp = args.cases * args.think
    interval = args.cases / target
    arrivals = math.ceil((ramp + args.measure) / interval)
    rng = random.Random(f"{target}")
    loop = asyncio.get_running_loop()
    start = loop.time()
    window = (time.monotonic() + ramp, time.monotonic() + ramp + args.measure)
    sessions = []
    cpu_marks: list[Cpu] = []

    async def mark(at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        cpu_marks.append(cpu_now(server_pid, postmaster_pid))

    marks = [asyncio.create_task(mark(at)) for at in window]
    for i in range(arrivals):
        await asyncio.sleep(max(0.0, start + i * interval - loop.time()))
        session = gp_session(
            host=host, port=port, token=tokens.pop(), cases=args.cases, think_s=args.think,
            rng=random.Random(rng.random()), record=record,
        )  # fmt: skip
        sessions.append(asyncio.create_task(session))
    await asyncio.gather(*marks)
    load = proc_cpu.load_average()
    await asyncio.gather(*sessions)
    measured = [s for s in record.samples if window[0] <= s.started < window[1]]
    answers = sum(1 for s in measured if s.kind == "answer" and s.ok)
    before, after = cpu_marks
    spent = Cpu(*(b - a for a, b in zip(vars(before).values(), vars(after).values(), strict=True)))
    return Step(
        target, answers / args.measure, measured, record.errors, spent, answers, load,
        record.answered,
    )  # fmt: skip


async def run_baseline(host: str, port: int, server_pid: int, seconds: float = 5.0) -> Step:
    record = Record()
    before = cpu_now(server_pid, None)
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(baseline_client(host=host, port=port, path=BASELINE_PATH, until=until, record=record)
          for _ in range(8))
    )  # fmt: skip
    after = cpu_now(server_pid, None)
    spent = Cpu(*(b - a for a, b in zip(vars(before).values(), vars(after).values(), strict=True)))
    n = len(record.samples)
    return Step(
        0, n / seconds, record.samples, record.errors, spent, n, proc_cpu.load_average(), []
    )


def report(steps: list[Step], baseline: Step, args: argparse.Namespace, database: str) -> None:
    print(
        f"\nGPs: {args.cases} cases each, think {args.think:.1f} s on average, open loop; gunicorn "
        f"{args.workers} workers x {args.threads} threads; {database}; loopback; p99 over every "
        f"GP request (link, page, image, answer) started in the {args.measure:.0f} s window"
    )
    print(
        "| target/s | answers/s | p50 ms | p99 ms | p99 answer | p99 image | errors "
        "| CPU ms/answer server | PostgreSQL | clients | whole machine | load avg |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for s in steps:
        per = 1000 / max(s.answers, 1)
        p50 = percentile([x.seconds for x in s.samples], 50)
        print(
            f"| {s.target:.0f} | {s.rate:.1f} | {p50:.0f}"
            f" | {s.p99():.0f} | {s.p99('answer'):.0f} | {s.p99('image'):.0f} | {len(s.errors)}"
            f" | {s.cpu.server * per:.1f} | {s.cpu.database * per:.1f} | {s.cpu.clients * per:.1f}"
            f" | {s.cpu.machine * per:.1f} | {s.load} |"
        )
    held = [s for s in steps if s.holds(args.p99_ms)]
    best = max((s.rate for s in held), default=0.0)
    per_request = 1000 * baseline.cpu.server / max(baseline.answers, 1)
    print(
        f"\nbaseline: GET {BASELINE_PATH} (whitenoise), 8 clients back to back: "
        f"{baseline.rate:.0f}/s, p99 {baseline.p99():.0f} ms, server CPU {per_request:.2f} ms each"
    )
    print(f"highest answer rate holding p99 < {args.p99_ms:.0f} ms with no errors: {best:.1f}/s")
    print(f"as a share of the baseline's requests/s: {best / baseline.rate:.3f}")
    for s in steps:
        for error in sorted(set(s.errors))[:5]:
            print(f"  at {s.target:.0f}/s: {error} (x{s.errors.count(error)})")


def start_server(env: dict[str, str], port: int, args: argparse.Namespace) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
            "--threads", str(args.threads), "--worker-class", "gthread",
            "--keep-alive", "5", "--log-level", "warning",
        ],
        env=env, cwd=ROOT,
    )  # fmt: skip
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{BASELINE_PATH}", timeout=1):
                pass
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not come up")


def main() -> int:
    args = parse()
    folder = Path(tempfile.mkdtemp(prefix="web-load-"))
    private = PrivatePostgres(folder, free_port()) if args.private_postgres else None
    try:
        return bench(args, folder, private.start() if private else args.database_url)
    finally:
        if private:
            private.stop()
        shutil.rmtree(folder, ignore_errors=True)


def bench(args: argparse.Namespace, folder: Path, url: str) -> int:
    rates = [float(r) for r in args.rates.split(",")]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(folder),
        "DATABASE_URL": url or f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_BROKER_URL": "filesystem://",
    }
    os.environ.update(env)
    server = None
    try:
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True, env=env, cwd=ROOT)
        per_step = args.cases * args.think + args.measure
        readers = sum(math.ceil(per_step * rate / args.cases) for rate in rates)
        study_id, tokens = prepare(readers + 40, args.cases)
        postmaster = None
        if env["DATABASE_URL"].startswith("postgres"):
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                postmaster = proc_cpu.parent_of(cursor.fetchone()[0])
            connection.close()
        port = free_port()
        server = start_server(env, port, args)
        host = "127.0.0.1"

        async def run() -> tuple[Step, list[Step], Record]:
            # Untimed warm-up: every worker imports the project and opens its connections.
            warm = Record()
            await asyncio.gather(
                *(gp_session(host=host, port=port, token=tokens.pop(), cases=args.cases,
                             think_s=0.05, rng=random.Random(i), record=warm)
                  for i in range(2 * args.workers * args.threads))
            )  # fmt: skip
            baseline = await run_baseline(host, port, server.pid)
            steps: list[Step] = []
            for rate in rates:
                step = await run_step(
                    host=host, port=port, target=rate, tokens=tokens, args=args,
                    server_pid=server.pid, postmaster_pid=postmaster,
                )  # fmt: skip
                steps.append(step)
                print(f"step {rate:.0f}/s: {step.rate:.1f} answers/s, p99 {step.p99():.0f} ms, "
                      f"{len(step.errors)} errors, load {step.load}", flush=True)  # fmt: skip
                if not step.holds(args.p99_ms) and not args.keep_going:
                    break
            return baseline, steps, warm

        baseline, steps, warm = asyncio.run(run())
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    if args.private_postgres:
        database += " (private cluster)"
    report(steps, baseline, args, database)
    # Every answer any client saw accepted, the warm-up's too, against the database.
    answered = warm.answered + [pair for step in steps for pair in step.answered]
    check = stored_exactly_once(study_id, answered)
    print("\nstored exactly once: " + ", ".join(f"{k} {v}" for k, v in check.items()))
    ok = (
        check["accepted but missing"] == 0
        and check["accepted twice"] == 0
        and check["stored, never accepted"] == 0
        and check["answer events"] == check["answered readings"]
    )
    print("every accepted answer is stored exactly once" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
