"""Prepare the demo study: each app adds its part in ``<app>/demo.py``.

Each app's module has ``setup(*, options: DemoOptions, out: Console) -> None`` and runs in the
order of the design's dependencies; an app without a demo module is skipped. Every step is
idempotent, so running the demo again picks up where it stopped.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.demo import DemoOptions, console

DEMO_APPS = ("core", "lesions", "classifier", "gan", "contests", "analysis")


class Command(BaseCommand):
    help = "Render, import and split the stand-in images, and queue the demo's jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--images", type=int, default=2000, help="stand-in images to render")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--data-dir", default="", help="where the stand-in images go")
        parser.add_argument("--password", default="", help="researcher password (else random)")

    def handle(self, *args: Any, **options: Any) -> None:
        demo_options = DemoOptions.from_command(options)
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            console.rule(f"[bold]{app}")
            module.setup(options=demo_options, out=console)
