from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from analysis.models import ReportJob
from demo.options import DemoOptions
from demo.steps import report as demo
from demo.steps.study import TITLE
from tests.analysis.conftest import StudySetup

pytestmark = pytest.mark.django_db


def test_the_demo_step_queues_one_report_and_is_idempotent(
    study_setup: StudySetup, django_capture_on_commit_callbacks: Any
) -> None:
    study_setup.study.title = TITLE
    study_setup.study.save()
    options = DemoOptions(images=10, seed=0, data_dir=Path("."), password="x")
    console = Console(file=io.StringIO())
    with django_capture_on_commit_callbacks() as callbacks:
        demo.setup(options=options, out=console)
        demo.setup(options=options, out=console)
    assert ReportJob.objects.count() == 1
    assert len(callbacks) == 1
