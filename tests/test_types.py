"""Every ``type: ignore`` in the product's code names its error code and says why."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "config",
    "core",
    "lesions",
    "classifier",
    "gan",
    "contests",
    "analysis",
    "demo",
    "bench",
)
IGNORE = re.compile(r"type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def ignores_without_reason() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                match = IGNORE.search(line)
                if match is None:
                    continue
                reason = match["rest"].strip().lstrip("#-").strip()
                if not match["codes"] or not reason:
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_every_type_ignore_names_its_code_and_reason() -> None:
    assert ignores_without_reason() == []
