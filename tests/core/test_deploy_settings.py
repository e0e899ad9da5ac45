"""The production settings that .env.example documents pass Django's deployment checklist."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def example_environment(tmp_path: Path) -> dict[str, str]:
    """The variables .env.example sets, with real secrets in place of its placeholders."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_"))
    }
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        env[key] = value
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["VAR_DIR"] = str(tmp_path)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_the_example_settings(tmp_path: Path) -> None:
    result = manage(example_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_placeholder_secret_is_refused(tmp_path: Path) -> None:
    env = example_environment(tmp_path)
    env["DJANGO_SECRET_KEY"] = "change-me"
    result = manage(env, "check")
    assert result.returncode != 0
    assert "placeholder" in result.stderr


def settings_of(env: dict[str, str], expression: str) -> object:
    code = f"import json; from django.conf import settings; print(json.dumps({expression}))"
    result = manage(env, "shell", "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_media_on_s3_is_switched_on_from_the_environment(tmp_path: Path) -> None:
    env = example_environment(tmp_path)
    env.update(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="study-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
        AWS_ACCESS_KEY_ID="key-id",
        AWS_SECRET_ACCESS_KEY="a-secret",
    )
    storage = settings_of(env, "settings.STORAGES['default']")
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "study-media",
            "endpoint_url": "https://s3.example.org",
            "region_name": None,
            "access_key": "key-id",
            "secret_key": "a-secret",
            "location": "",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    env["MEDIA_STORAGE"] = "ftp"
    result = manage(env, "check")
    assert result.returncode != 0
    assert "MEDIA_STORAGE must be filesystem or s3" in result.stderr


def test_redis_keeps_a_task_from_other_workers_longer_than_the_longest_task(
    tmp_path: Path,
) -> None:
    env = example_environment(tmp_path)
    env["CELERY_BROKER_URL"] = "redis://broker.example.org:6379/0"
    options, hard_limit = settings_of(
        env, "[settings.CELERY_BROKER_TRANSPORT_OPTIONS, settings.CELERY_TASK_TIME_LIMIT]"
    )
    assert isinstance(options, dict)
    assert options["visibility_timeout"] > hard_limit >= 24 * 3600
