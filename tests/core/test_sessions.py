"""The session store: Django's database store with its read compiled once."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_loads_until_it_expires() -> None:
    store = SessionStore()
    store["take_participant"] = 7
    store.set_expiry(60)
    store.save()
    key = store.session_key
    assert SessionStore(session_key=key)["take_participant"] == 7
    later = timezone.now() + timedelta(seconds=61)
    with mock.patch("django.utils.timezone.now", return_value=later):
        expired = SessionStore(session_key=key)
        assert expired.get("take_participant") is None
        assert expired.session_key is None


def test_an_unknown_key_gives_an_empty_session() -> None:
    store = SessionStore(session_key="x" * 32)
    assert store.load() == {}
    assert store.session_key is None
