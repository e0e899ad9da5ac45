"""A whole study through the REST API with a personal token, as a researcher's script runs it.

The researcher touches no HTML page: the study comes from the paper preset over HTTP, its
invitation links come back from the API, and five GPs take it through those links (the GP pages
are theirs). The report job runs on a real Celery worker; the four CSV exports and the report's
iMRMC file are downloaded and must equal what the analysis service behind the results page
computes, and the summary's numbers its tables.
"""

from __future__ import annotations

import io
import math
import re
import time
from typing import Any

import pandas as pd
import pytest
import requests
from django.utils import timezone

from analysis import exports
from analysis.report_tables import report_tables
from analysis.services import study_report_build
from analysis.tasks import report_job_run_task
from contests.models import Study
from core.services import api_token_create
from tests.contests.researcher_catalogue import held_out_catalogue, predicting_run
from tests.worker import WorkerProcess, route_to_worker

pytestmark = [pytest.mark.worker]

READERS = 5
CASE_KEY = re.compile(r'name="case" value="([^"]+)"')
CONSENT_VERSION = re.compile(r'name="version" value="([^"]+)"')


class Api:
    """The researcher's side: JSON over HTTP with ``Authorization: Token``."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Token {token}"

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(self.base + path, params=params, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: dict[str, Any], expect: int, **headers: str) -> Any:
        response = self.http.post(self.base + path, json=body, headers=headers, timeout=120)
        assert response.status_code == expect, response.text
        return response.json()

    def download(self, path: str) -> str:
        response = self.http.get(self.base + path, timeout=60)
        assert response.status_code == 200, response.text
        return response.content.decode("utf-8")


def take_study(link: str, number: int) -> int:
    """One GP through the GP pages, as a browser: language, consent, profile, every phase."""
    base = link.split("/take/")[0]
    gp = requests.Session()

    def post(path: str, fields: dict[str, str]) -> requests.Response:
        headers = {"X-CSRFToken": gp.cookies.get("csrftoken", ""), "HX-Request": "true"}
        return gp.post(base + path, data=fields, headers=headers, timeout=60)

    assert gp.get(link, timeout=60).status_code == 200
    post("/take/language/", {"language": "en"})
    consent = gp.get(base + "/take/consent/", timeout=60).text
    version = CONSENT_VERSION.search(consent)
    assert version is not None, consent[:500]
    post("/take/consent/", {"version": version.group(1), "decision": "accept"})
    post(
        "/take/profile/",
        {"years_in_practice": str(2 + number), "specialty": "general_practice",
         "dermoscopy_training": "none", "country": "Argentina"},
    )  # fmt: skip
    answered, order = 0, 1
    while (page := gp.get(f"{base}/take/phase/{order}/", timeout=60)).status_code == 200:
        text, count = page.text, 0
        while (match := CASE_KEY.search(text)) is not None:
            # Readers differ, and each is right now and then: numbers worth comparing.
            answer = str((number * 3 + count) % 7 + 1)
            response = post(f"/take/phase/{order}/answer/", {"case": match.group(1),
                                                              "diagnosis": answer})  # fmt: skip
            assert response.status_code == 200, response.text[:500]
            text, count = response.text, count + 1
        assert count > 0, f"phase {order} showed no case"
        answered += count
        order += 1
    assert order == 4, f"the GP stopped at phase {order}: {page.status_code}"
    return answered


def clean(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def test_a_whole_study_through_the_api(
    live_server: Any,
    celery_worker_process: WorkerProcess,
    monkeypatch: pytest.MonkeyPatch,
    researcher: Any,
) -> None:
    route_to_worker(monkeypatch, report_job_run_task, celery_worker_process)
    dataset = held_out_catalogue(name="ham-standin", per_class=5)
    hint_run = predicting_run(dataset, name="efficientnet_b5-low")
    _row, token = api_token_create(user=researcher, name="e2e", now=timezone.now())
    api = Api(live_server.url, token)

    study = api.post(
        "/api/contests/studies/from-preset/",
        {"preset": "paper", "dataset": dataset.name, "hint_run": hint_run.name, "scale": 0.1},
        201,
        **{"Idempotency-Key": "e2e-study"},
    )
    assert [p["case_count"] for p in study["phases"]] == [16, 4, 4]
    study_id = study["id"]
    opened = api.post(f"/api/contests/studies/{study_id}/open/", {}, 200)
    assert opened["study"]["status"] == "open"
    links = [
        item["link"]
        for item in api.post(f"/api/contests/studies/{study_id}/invitations/", {"n": READERS}, 201)[
            "invitations"
        ]
    ]
    assert len(links) == READERS
    assert all(link.startswith(live_server.url) for link in links)

    answered = [take_study(link, number) for number, link in enumerate(links)]
    assert answered == [24] * READERS
    progress = api.get(f"/api/contests/studies/{study_id}/progress/")
    assert [sum(p["done"] for p in row["phases"]) for row in progress] == answered

    job = api.post(f"/api/analysis/studies/{study_id}/reports/", {}, 202)
    deadline = time.monotonic() + 180
    while (job := api.get(f"/api/analysis/reports/{job['id']}/"))["status"] != "succeeded":
        assert job["status"] in ("pending", "running"), job["error"]
        if time.monotonic() > deadline:
            pytest.fail(f"the report job did not finish:\n{celery_worker_process.output()[-3000:]}")
        time.sleep(0.5)
    files = {f["name"]: f["url"] for f in job["files"]}
    downloaded = {
        name: api.download(f"/api/analysis/studies/{study_id}/exports/{name}.csv")
        for name in exports.EXPORTS
    }
    report_imrmc = api.download(files["imrmc.csv"])
    summary = api.get(f"/api/analysis/studies/{study_id}/summary/")

    # What the results page shows comes from this service; the API must say the same.
    frame, report = study_report_build(study=Study.objects.get(pk=study_id))
    for name in exports.EXPORTS:
        expected = io.StringIO()
        exports.write_export(name, frame, report, expected, include_simulated=False)
        assert downloaded[name] == expected.getvalue(), name
    assert report_imrmc == downloaded["imrmc"]
    readings = pd.read_csv(io.StringIO(downloaded["readings"]))
    assert len(readings) == sum(answered)
    assert readings["reader"].nunique() == READERS
    assert summary["readings"] == report.n_readings == sum(answered)
    tables = report_tables(report)
    for name in ("table4", "comparisons", "per_class"):
        expected_rows = [
            {key: clean(value) for key, value in row.items()}
            for row in tables[name].to_dict(orient="records")
        ]
        got = [{key: row.get(key) for key in expected_rows[0]} for row in summary[name]]
        assert len(got) == len(expected_rows), name
        for got_row, expected_row in zip(got, expected_rows, strict=True):
            for key, value in expected_row.items():
                if isinstance(value, float):
                    assert got_row[key] == pytest.approx(value), (name, key)
                else:
                    assert got_row[key] == value, (name, key)
