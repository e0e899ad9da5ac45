"""What the demo steps share: their options, the data set they build, and their terminal."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from rich.console import Console

console = Console()

# The stand-in catalogue every demo step works on.
DATASET = "ham10000-standin"

# The stand-in catalogue every demo step works on.


@dataclass(frozen=True)
class DemoOptions:
    images: int
    seed: int
    data_dir: Path
    password: str

    @classmethod
    def from_command(cls, options: dict[str, Any]) -> DemoOptions:
        data_dir = Path(options["data_dir"]) if options["data_dir"] else settings.VAR_DIR / "demo"
        return cls(
            images=options["images"],
            seed=options["seed"],
            data_dir=data_dir,
            password=options["password"],
        )
