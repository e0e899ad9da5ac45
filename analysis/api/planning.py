"""REST API: plan a study from a pilot (researchers only).

GET /api/analysis/plan/?study=ID&effect=&analysis=RRRC&alpha=0.05&power=0.8&readers=4,6,10
    &cases=50,100,200
Without ``study`` the pilot is the Van Dyke example; without ``effect``, the pilot's observed
difference. The answer: the pilot (design, readers, cases, observed effect with its 95% CI and
its OR components), the power of every readers x cases, and the cases each number of readers
needs for the target power (null where 2,000 cases do not suffice).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis import mrmc_power, selectors
from analysis.forms import PlanForm
from core.permissions import IsResearcher


def _number(value: Any) -> Any:
    """JSON has no NaN or infinity: missing numbers become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class StudyPlanApi(APIView):
    """Power and sample sizes for a study planned from a pilot."""

    permission_classes = [IsResearcher]

    @extend_schema(
        parameters=[
            OpenApiParameter("study", int, description="The pilot study (default: Van Dyke)"),
            OpenApiParameter("effect", float, description="Default: the pilot's observed one"),
            OpenApiParameter("analysis", str, enum=list(mrmc_power.ANALYSES)),
            OpenApiParameter("alpha", float),
            OpenApiParameter("power", float, description="Target power (default 0.8)"),
            OpenApiParameter("readers", str, description="Numbers of readers, e.g. 4,6,10"),
            OpenApiParameter("cases", str, description="Numbers of cases, e.g. 50,100,200"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        form = PlanForm({**PlanForm.defaults(), **request.query_params.dict()})
        if not form.is_valid():
            return Response({"errors": form.errors.get_json_data()}, status=400)
        plan = selectors.study_plan(**form.plan_arguments())
        if plan is None:
            problem = "This study has no finished comparison without vs with the AI yet."
            return Response({"errors": {"study": [{"message": problem}]}}, status=400)
        result = plan.pilot.result
        difference = plan.pilot.difference
        components = mrmc_power.pilot_components(result)
        return Response(
            {
                "pilot": {
                    "name": plan.pilot.name,
                    "figure": plan.pilot.figure,
                    "design": result.design,
                    "readers": len(result.readers),
                    "cases_per_reader": result.cases_per_reader,
                    "observed_effect": {
                        "name": difference.name,
                        "estimate": difference.estimate,
                        "ci_low": _number(difference.ci_low),
                        "ci_high": _number(difference.ci_high),
                    },
                    "components": {
                        "var": components.var,
                        "cov1": components.cov1,
                        "cov2": components.cov2,
                        "cov3": components.cov3,
                        "var_tr": components.var_tr,
                    },
                },
                "effect": plan.effect,
                "analysis": plan.analysis,
                "alpha": plan.alpha,
                "target_power": plan.target,
                "power": [
                    {"readers": int(readers), "cases": int(cases), "power": float(power)}
                    for readers, row in plan.table.iterrows()
                    for cases, power in row.items()
                ],
                "sample_sizes": [
                    {
                        "readers": int(row["readers"]),
                        "cases": None if pd.isna(row["cases"]) else int(row["cases"]),
                        "power": _number(float(row["power"])),
                    }
                    for row in plan.sizes.to_dict(orient="records")
                ],
            }
        )
