"""The database session store, its one read per request compiled once (``core.compiled``).

Django's own store builds and compiles the same query on every request, which costs more CPU
than the GP's answer itself; this one runs the SQL compiled once and checks the expiry in
Python. Same table, same rows, same behaviour otherwise (settings.SESSION_ENGINE names it).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.compiled import CompiledValues

_by_key = CompiledValues(
    lambda session_key: (
        Session.objects.filter(session_key=session_key)
        .order_by()
        .values_list("session_data", "expire_date")[:1]
    ),
    session_key=str,
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is not None:
            for data, expire_date in _by_key.rows(session_key=key):
                if expire_date > timezone.now():
                    return Session(session_key=key, session_data=data, expire_date=expire_date)
        self._session_key = None
        return None
