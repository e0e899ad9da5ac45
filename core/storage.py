"""Media through Django's storage API, for code that needs local files (torch checkpoints,
report folders) or whole names rather than upload fields.

The media store may be the local disk, a shared filesystem (NFS) or S3-compatible storage: no
code outside this module (and Django's own file fields) assumes a filesystem path under
``MEDIA_ROOT``. Work that needs files on disk writes them under ``WORK_DIR`` (local to each
worker) and copies them in and out of the store here.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage


def work_dir(*parts: str) -> Path:
    """A folder of this machine's own for work in progress (created)."""
    folder = Path(settings.WORK_DIR).joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def storage_put(local: Path, name: str) -> str:
    """Store the local file ``local`` under exactly ``name``, replacing what was there."""
    if default_storage.exists(name):
        default_storage.delete(name)
    with local.open("rb") as handle:
        saved = default_storage.save(name, File(handle, name=local.name))
    if saved != name:  # another writer got there in between: a name is never silently changed
        default_storage.delete(saved)
        raise FileExistsError(f"{name} was written by someone else meanwhile")
    return saved


def storage_fetch(name: str, local: Path) -> bool:
    """Copy the stored ``name`` to ``local`` (written whole, then renamed into place); False
    when nothing is stored under that name."""
    if not name or not default_storage.exists(name):
        return False
    local.parent.mkdir(parents=True, exist_ok=True)
    partial = local.with_name(f"{local.name}.{uuid.uuid4().hex}.partial")
    try:
        with default_storage.open(name, "rb") as source, partial.open("wb") as target:
            shutil.copyfileobj(source, target, length=1 << 20)
        os.replace(partial, local)
    finally:
        partial.unlink(missing_ok=True)
    return True


def storage_cached(name: str) -> Path:
    """A local copy of the stored ``name`` under ``WORK_DIR/stored/``, fetched once.

    For names whose content never changes once written (a checkpoint per epoch): the copy is
    kept, and found again by its name and size.
    """
    local = work_dir("stored").joinpath(*name.split("/"))
    if local.is_file() and local.stat().st_size == default_storage.size(name):
        return local
    if not storage_fetch(name, local):
        raise FileNotFoundError(f"{name} is not in the media store")
    return local


def storage_delete(*names: str) -> None:
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)


def storage_read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data
