"""Every module of the project imports on its own, as the first import after Django's setup.

An import cycle can hide for months when some other module happens to be imported first (the
admin, a URL conf). Here each module gets a fresh process whose only project imports so far are
the ones ``django.setup()`` makes (apps and models, without the admin's autodiscovery, which
would import half the project): a latent cycle fails here, not in a worker
that one day starts in another order.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "core", "lesions", "classifier", "gan", "contests", "analysis", "demo")

# One parent process pays for Django's setup and the heavy libraries once, then forks a child
# per module: each child starts from that state and imports one project module first.
CHILD_SCRIPT = textwrap.dedent(
    """
    import importlib, os, sys, traceback
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings_no_autodiscover"
    django.setup()
    import numpy, pandas, torch, timm, matplotlib, scipy.stats  # noqa: F401 - warm, not ours
    failures = []
    for name in sys.argv[1:]:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                importlib.import_module(name)
            except BaseException:
                os.write(write, traceback.format_exc().encode())
                os._exit(1)
            os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            error = pipe.read().decode(errors="replace")
        _, status = os.waitpid(pid, 0)
        if status != 0:
            failures.append(f"{name}:\\n{error}")
    print("\\n".join(failures))
    sys.exit(1 if failures else 0)
    """
)


def project_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(ROOT).with_suffix("")
            parts = relative.parts
            if "migrations" in parts or "templates" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
    return names


def test_the_module_list_covers_every_app() -> None:
    modules = project_modules()
    for package in PACKAGES:
        if (ROOT / package).is_dir():
            assert package in modules
    assert "contests.selectors" in modules or any(
        m.startswith("contests.selectors.") for m in modules
    )


def test_every_module_imports_first_in_a_fresh_process() -> None:
    modules = project_modules()
    result = subprocess.run(
        [sys.executable, "-c", CHILD_SCRIPT, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, (
        f"Modules that fail when imported first:\n{result.stdout}\n{result.stderr[-3000:]}"
    )
