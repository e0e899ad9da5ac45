"""Prepare the demo study: the steps of ``demo.steps``, in order, each idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from demo.options import DemoOptions, console
from demo.steps import run_all


class Command(BaseCommand):
    help = "Render, import and split the stand-in images, and queue the demo's jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--images", type=int, default=2000, help="stand-in images to render")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--data-dir", default="", help="where the stand-in images go")
        parser.add_argument("--password", default="", help="researcher password (else random)")

    def handle(self, *args: Any, **options: Any) -> None:
        run_all(options=DemoOptions.from_command(options), out=console)
