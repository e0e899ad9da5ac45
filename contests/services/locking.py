"""Row locks that serialise two tabs of one reader, on PostgreSQL and on SQLite alike."""

from __future__ import annotations

from django.db import models


def lock_row(model: type[models.Model], pk: int, field: str) -> None:
    """Lock one row for the rest of the transaction by writing it unchanged.

    On PostgreSQL an UPDATE takes the same row lock as SELECT ... FOR UPDATE. On SQLite, where
    FOR UPDATE does not exist, a write as the transaction's first statement takes the database's
    write lock at once, so a second tab waits (busy timeout) instead of failing with "database
    is locked" when it tries to upgrade a read lock later. Call it first in the transaction.
    """
    model._default_manager.filter(pk=pk).update(**{field: models.F(field)})
