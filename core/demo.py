"""What the demo steps share: their options and the terminal they write to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from rich.console import Console

console = Console()


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


def setup(*, options: DemoOptions, out: Console) -> None:
    """Create (or reset) the demo researcher and write the login where the demo script finds it."""
    import secrets

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.permissions import RESEARCHERS_GROUP

    password = options.password or secrets.token_urlsafe(9)
    user, _ = get_user_model().objects.get_or_create(username="researcher")
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    group, _ = Group.objects.get_or_create(name=RESEARCHERS_GROUP)
    user.groups.add(group)
    login_file = settings.VAR_DIR / "demo-login.txt"
    login_file.write_text(f"user: researcher\npassword: {password}\n")
    login_file.chmod(0o600)
    out.print(f"Researcher account: researcher / {password}")
