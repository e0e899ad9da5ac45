"""A whole study against a running container stack, as its users would run it.

Called by scripts/deploy-test.sh once the stack is healthy; talks to the containers only through
`docker compose exec` (what an operator types) and HTTP (what browsers and scripts do):

1. stand-in images rendered, imported and split inside the web container;
2. a cpu-demo training run queued on the GPU worker (it evaluates the held-out images, and its
   predictions are the hints);
3. `create_study --preset paper` with invitation links;
4. GPs take every phase over HTTP through their links (consent, profile, each case's image);
5. the researcher queues the report, the default worker writes it with its CSV exports, and the
   files are downloaded and checked against the answers given.

`--after-restart` checks instead that a stack brought down and up again still has all of it:
the answers, the media files and the secret key (the researcher's session still holds).
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import io
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DATASET = "deploy-standin"
IMAGES = 560
SCALE = 0.2
READERS = 5
RESEARCHER = "deploy-researcher"
CASE_KEY = re.compile(r'name="case" value="([^"]+)"')
CONSENT_VERSION = re.compile(r'name="version" value="([^"]+)"')
# The newest report job comes first on the results page (its progress block's id).
REPORT_JOB = re.compile(r'class="job job-\w+" id="job-(\d+)"')


class ScenarioError(RuntimeError):
    pass


@dataclass
class Stack:
    compose: list[str]

    def manage(self, *args: str, service: str = "web", env: dict[str, str] | None = None) -> str:
        options = [f"--env={key}={value}" for key, value in (env or {}).items()]
        command = [*self.compose, "exec", "-T", *options, service, "python", "manage.py", *args]
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise ScenarioError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            )
        return result.stdout

    def read_file(self, path: str, service: str = "web") -> str:
        command = [*self.compose, "exec", "-T", service, "cat", path]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603


class Browser:
    """Cookies, CSRF and redirects, as a browser keeps them."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _open(self, request: urllib.request.Request) -> tuple[int, bytes, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read(), response.geturl()
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.geturl()

    def get(self, path: str) -> tuple[int, bytes, str]:
        url = path if path.startswith("http") else self.base + path
        return self._open(urllib.request.Request(url))  # noqa: S310 - the stack under test

    def post(
        self, path: str, fields: dict[str, str], *, htmx: bool = False
    ) -> tuple[int, bytes, str]:
        csrf = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        headers = {"X-CSRFToken": csrf, "Referer": self.base + path}
        if htmx:
            headers["HX-Request"] = "true"
        request = urllib.request.Request(  # noqa: S310 - the stack under test
            self.base + path, data=urllib.parse.urlencode(fields).encode(), headers=headers
        )
        return self._open(request)

    def text(self, path: str) -> str:
        status, body, _ = self.get(path)
        if status != 200:
            raise ScenarioError(f"GET {path}: {status}")
        return body.decode()


def wait_for(what: str, predicate: object, *, timeout: float, every: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():  # type: ignore[operator]  # a callable passed in
            return
        if time.monotonic() > deadline:
            raise ScenarioError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def log(message: str) -> None:
    print(f"   {message}", flush=True)


def catalogue(stack: Stack) -> None:
    folder = "/var/lib/readerstudy/standin"
    stack.manage("make_standin_images", "--out", folder, "--limit", str(IMAGES))
    stack.manage(
        "import_ham10000",
        "--metadata", f"{folder}/HAM10000_metadata.csv",
        "--images", f"{folder}/HAM10000_images_part_1", f"{folder}/HAM10000_images_part_2",
        "--dataset", DATASET,
    )  # fmt: skip
    stack.manage("make_splits", "--dataset", DATASET)
    log(f"{IMAGES} stand-in images rendered, imported and split in the web container")


def researcher_login(base: str, password: str) -> Browser:
    browser = Browser(base)
    browser.get("/accounts/login/")
    status, _, url = browser.post(
        "/accounts/login/", {"username": RESEARCHER, "password": password, "next": "/home/"}
    )
    if status != 200 or "/accounts/login/" in url:
        raise ScenarioError(f"the researcher could not log in ({status}, {url})")
    return browser


def api(browser: Browser, path: str) -> object:
    status, body, _ = browser.get(path)
    if status != 200:
        raise ScenarioError(f"GET {path}: {status} {body[:300]!r}")
    return json.loads(body)


def train_hint_model(stack: Stack, researcher: Browser) -> str:
    stack.manage("train", "--dataset", DATASET, "--preset", "cpu-demo", "--fold", "0", "--queue")
    runs = api(researcher, "/api/classifier/runs/")
    names = [run["name"] for run in runs["results"]]  # type: ignore[index]  # JSON of the API
    run_name = next(name for name in names if name.endswith("fold0"))

    def finished() -> bool:
        for run in api(researcher, "/api/classifier/runs/")["results"]:  # type: ignore[index]  # JSON
            if run["name"] == run_name:
                if run["status"] == "failed":
                    raise ScenarioError(f"the training run failed: {run.get('error', '')[:2000]}")
                return bool(run["status"] == "succeeded")
        return False

    started = time.monotonic()
    wait_for("the training run on the GPU worker", finished, timeout=1200)
    seconds = time.monotonic() - started
    log(f"run {run_name} trained and evaluated on the GPU worker in {seconds:.0f} s")
    return run_name


def make_study(stack: Stack, base: str, run_name: str) -> tuple[int, list[str]]:
    links_file = "/var/lib/readerstudy/links.csv"
    out = stack.manage(
        "create_study", "--dataset", DATASET, "--preset", "paper", "--scale", str(SCALE),
        "--hint-run", run_name, "--open", "--invitations", str(READERS), "--links", links_file,
        "--base-url", base,
    )  # fmt: skip
    study_id = int(out.strip().splitlines()[-1])
    rows = list(csv.DictReader(io.StringIO(stack.read_file(links_file))))
    log(f"study {study_id} (paper preset, scale {SCALE}) with {len(rows)} invitation links")
    return study_id, [row["link"] for row in rows]


def take_study(link: str, number: int) -> dict[str, int]:
    """One GP, through the pages: language, consent, profile, every phase, every image."""
    gp = Browser(link.split("/take/")[0])
    gp.get(link)
    gp.post("/take/language/", {"language": "en"})
    consent = gp.text("/take/consent/")
    version = CONSENT_VERSION.search(consent)
    if version is None:
        raise ScenarioError("the consent page has no version")
    gp.post("/take/consent/", {"version": version.group(1), "decision": "accept"})
    gp.post(
        "/take/profile/",
        {
            "years_in_practice": str(3 + number),
            "specialty": "general_practice",
            "dermoscopy_training": "none",
            "country": "Argentina",
        },
    )
    answered: dict[str, int] = {}
    order = 1
    while True:
        status, body, _ = gp.get(f"/take/phase/{order}/")
        if status == 404:
            break
        page = body.decode()
        count = 0
        while (match := CASE_KEY.search(page)) is not None:
            key = match.group(1)
            image_status, image, _ = gp.get(f"/take/image/{key}/")
            if image_status != 200 or not image.startswith(b"\xff\xd8"):
                raise ScenarioError(f"case image {key}: {image_status}")
            diagnosis = str((number + count) % 7 + 1)
            status, body, _ = gp.post(
                f"/take/phase/{order}/answer/", {"case": key, "diagnosis": diagnosis}, htmx=True
            )
            if status != 200:
                raise ScenarioError(f"answer in phase {order}: {status}")
            page = body.decode()
            count += 1
        answered[str(order)] = count
        order += 1
    if not answered:
        raise ScenarioError("the GP saw no phase")
    return answered


def report(researcher: Browser, study_id: int) -> dict[str, str]:
    page_path = f"/analysis/studies/{study_id}/"
    researcher.get(page_path)
    status, body, _ = researcher.post(f"/analysis/studies/{study_id}/reports/", {})
    if status != 200:
        raise ScenarioError(f"queueing the report: {status}")
    match = REPORT_JOB.search(body.decode())
    if match is None:
        raise ScenarioError("the results page shows no report job")
    job = match.group(1)

    def written() -> bool:
        fragment = researcher.text(f"/analysis/reports/{job}/status/")
        if "job-failed" in fragment:
            raise ScenarioError(f"the report job failed: {fragment[-2000:]}")
        return "job-succeeded" in fragment

    started = time.monotonic()
    wait_for("the report on the default worker", written, timeout=600)
    files = {}
    for name in ("readings.csv", "imrmc.csv", "per_class.csv", "index.html"):
        status, data, _ = researcher.get(f"/analysis/reports/{job}/files/{name}")
        if status != 200:
            raise ScenarioError(f"report file {name}: {status}")
        files[name] = data.decode()
    log(f"report {job} written by the default worker in {time.monotonic() - started:.0f} s")
    return files


def check_exports(files: dict[str, str], answered: list[dict[str, int]]) -> int:
    readings = list(csv.DictReader(io.StringIO(files["readings.csv"])))
    expected = sum(sum(phases.values()) for phases in answered)
    if len(readings) != expected:
        raise ScenarioError(f"readings.csv has {len(readings)} rows; the GPs answered {expected}")
    readers = {row["reader"] for row in readings}
    if len(readers) != len(answered):
        raise ScenarioError(f"readings.csv names {len(readers)} readers, not {len(answered)}")
    imrmc = files["imrmc.csv"]
    if "reader" not in imrmc.lower() and "truth" not in imrmc.lower():
        raise ScenarioError("imrmc.csv does not look like an iMRMC input")
    log(f"exports hold all {expected} answers of {len(readers)} GPs")
    return expected


def state_file(folder: Path) -> Path:
    return folder / "scenario-state.json"


def run_scenario(args: argparse.Namespace, stack: Stack) -> None:
    password = args.password
    stack.manage(
        "createsuperuser", "--noinput", "--username", RESEARCHER, "--email", "r@example.org",
        env={"DJANGO_SUPERUSER_PASSWORD": password},
    )  # fmt: skip
    catalogue(stack)
    researcher = researcher_login(args.base, password)
    run_name = train_hint_model(stack, researcher)
    study_id, links = make_study(stack, args.base, run_name)
    answered = [take_study(link, number) for number, link in enumerate(links)]
    log(f"{len(links)} GPs took every phase over HTTP: {answered[0]} cases per phase each")
    files = report(researcher, study_id)
    total = check_exports(files, answered)
    sessionid = next(c.value for c in researcher.cookies if c.name == "sessionid")
    state_file(args.state).write_text(
        json.dumps(
            {"study": study_id, "answers": total, "sessionid": sessionid, "gp_link": links[0]}
        )
    )


def check_after_restart(args: argparse.Namespace) -> None:
    state = json.loads(state_file(args.state).read_text())
    researcher = Browser(args.base)
    host = urllib.parse.urlsplit(args.base).hostname or "127.0.0.1"
    cookie = http.cookiejar.Cookie(
        0, "sessionid", state["sessionid"], None, False, host, False, False, "/", True,
        False, None, False, None, None, {},
    )  # fmt: skip
    researcher.cookies.set_cookie(cookie)
    # The same session cookie still opens researcher pages: the secret key and the sessions kept.
    status, _, url = researcher.get(f"/analysis/studies/{state['study']}/")
    if status != 200 or "/accounts/login/" in url:
        raise ScenarioError(f"the researcher's session did not survive the restart ({status})")
    progress = api(researcher, f"/api/contests/studies/{state['study']}/progress/")
    rows = progress if isinstance(progress, list) else progress["results"]  # type: ignore[index]  # JSON
    answers = sum(phase["answered"] + phase["timed_out"] for row in rows for phase in row["phases"])
    if answers != state["answers"]:
        raise ScenarioError(f"{answers} answers after the restart, {state['answers']} before")
    # A new report reads the stored answers again and writes into the media store again.
    files = report(researcher, state["study"])
    readings = list(csv.DictReader(io.StringIO(files["readings.csv"])))
    if len(readings) != state["answers"]:
        raise ScenarioError("the report after the restart lost answers")
    log(f"after down and up: {answers} answers, the session and the media files are all there")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the web role's URL")
    parser.add_argument("--compose", required=True, help="the docker compose command line")
    parser.add_argument("--state", type=Path, required=True, help="folder for the run's state")
    parser.add_argument("--password", default="", help="the researcher's password")
    parser.add_argument("--after-restart", action="store_true")
    args = parser.parse_args()
    try:
        if args.after_restart:
            check_after_restart(args)
        else:
            run_scenario(args, Stack(compose=args.compose.split()))
    except ScenarioError as error:
        print(f"DEPLOY SCENARIO FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
