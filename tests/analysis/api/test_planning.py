"""The planning API: power and sample sizes from a pilot, for researchers only."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_van_dyke_plan_gives_rjafrocs_sample_sizes(researcher_client: Client) -> None:
    response = researcher_client.get("/api/analysis/plan/", {"readers": "6,10", "cases": "112"})
    assert response.status_code == 200
    body = response.json()
    assert body["pilot"]["figure"] == "AUC"
    assert body["pilot"]["readers"] == 5
    assert round(body["pilot"]["observed_effect"]["estimate"], 5) == -0.04380
    assert round(body["effect"], 5) == -0.04380
    sizes = {row["readers"]: (row["cases"], round(row["power"], 8)) for row in body["sample_sizes"]}
    # RJafroc Ch11Vig3/Ch11Vig4 (sources in tests/analysis/test_mrmc_power.py).
    assert sizes == {6: (251, 0.80054026), 10: (163, 0.80156249)}
    power = {(row["readers"], row["cases"]): row["power"] for row in body["power"]}
    assert round(power[(6, 112)], 8) == 0.55557885


def test_bad_numbers_are_refused_and_only_researchers_may_plan(
    researcher_client: Client, client: Client
) -> None:
    response = researcher_client.get("/api/analysis/plan/", {"readers": "1"})
    assert response.status_code == 400
    assert "readers" in response.json()["errors"]
    assert researcher_client.get("/api/analysis/plan/", {"analysis": "DBM"}).status_code == 400
    assert client.get("/api/analysis/plan/").status_code == 401
