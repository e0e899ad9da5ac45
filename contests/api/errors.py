"""The contest services' refusals as the API answers them (problem details)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from contests.services.errors import ContestError, StudyNotDraft
from core.api.problems import Conflict, Refused


@contextmanager
def refusals() -> Iterator[None]:
    """A study that is no longer a draft: 409; any other rule the services keep: 400."""
    try:
        yield
    except StudyNotDraft as error:
        raise Conflict(str(error)) from error
    except ContestError as error:
        raise Refused(str(error)) from error
