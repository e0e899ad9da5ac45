"""The demo's steps, in the order of the apps' dependencies.

Each step is a module with ``setup(*, options: DemoOptions, out: Console) -> None``; every step
looks at what is already there first, so running the demo again picks up where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from rich.console import Console

from demo.options import DemoOptions
from demo.steps import catalogue, gan, hint_model, report, researcher, study

Step = Callable[..., None]

# (title, module): the researcher, the catalogue, the hint model and the GAN on the workers,
# the study with its simulated GPs, and the report of their readings.
STEPS: tuple[tuple[str, ModuleType], ...] = (
    ("researcher", researcher),
    ("catalogue", catalogue),
    ("hint model", hint_model),
    ("GAN", gan),
    ("study", study),
    ("report", report),
)


def run_all(*, options: DemoOptions, out: Console) -> None:
    for title, module in STEPS:
        out.rule(f"[bold]{title}")
        module.setup(options=options, out=out)
