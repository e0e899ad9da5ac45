"""The demo's researcher: an account with every right, its password written where the demo
script prints it (var/demo-login.txt)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rich.console import Console

from core.permissions import RESEARCHERS_GROUP
from demo.options import DemoOptions


def setup(*, options: DemoOptions, out: Console) -> None:
    """Create (or reset) the demo researcher and write the login where the demo script finds it."""
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
