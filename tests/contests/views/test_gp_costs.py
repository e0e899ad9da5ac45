"""What a GP's requests cost the database, and how the clock closes a case's image on time.

The query counts are ceilings that keep the answer path from growing back: the session, the
participant, one transaction with one lock (the answer, the readings of the phase, the next case,
the new reading, the events in one INSERT). Inside a test the transaction shows as a savepoint;
where the database cannot lock rows (SQLite) the new reading takes one savepoint more.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contests.models import Event, Outcome, Participant, Reading
from contests.services.invitations import invitation_create_batch
from tests.contests.factories import PhaseFactory, StudyFactory, add_cases

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PROFILE = {
    "years_in_practice": "8",
    "specialty": "general_practice",
    "dermoscopy_training": "none",
    "country": "Argentina",
}
# Session, participant; savepoint, lock, reading, its update, the phase's readings, the next
# case, the new reading, the events, release.
ANSWER_AND_NEXT_QUERIES = 11
# Session; the open reading with its image's file, checked against the session's invitation.
IMAGE_QUERIES = 2


@pytest.fixture
def study() -> Any:
    study = StudyFactory(grace_seconds=2.0)
    add_cases(PhaseFactory(study=study, order=1, title="Untimed", time_limit_seconds=None), 4)
    add_cases(PhaseFactory(study=study, order=2, title="Timed", time_limit_seconds=45), 2)
    return study


def _join(client: Client, study: Any) -> Participant:
    [(_, token)] = invitation_create_batch(study=study, n=1, now=timezone.now())
    client.get(reverse("take:invitation", kwargs={"token": token}))
    client.post(reverse("take:language"), {"language": "en"})
    client.post(reverse("take:consent"), {"version": "1", "decision": "accept"})
    client.post(reverse("take:profile"), PROFILE)
    return Participant.objects.latest("id")


def _case_key(html: str) -> str:
    found = re.search(r'name="case" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def _answer_queries() -> int:
    extra_savepoint = 0 if connection.features.has_select_for_update else 2
    return ANSWER_AND_NEXT_QUERIES + extra_savepoint


def test_an_answer_and_the_next_case_cost_one_transaction_of_few_queries(
    client: Client, study: Any, django_assert_max_num_queries: Any
) -> None:
    participant = _join(client, study)
    key = _case_key(client.get(reverse("take:phase", args=[1])).content.decode())
    for _ in range(2):
        with django_assert_max_num_queries(_answer_queries()):
            response = client.post(
                reverse("take:answer", args=[1]), {"case": key, "diagnosis": "4"}, **HTMX
            )
        assert response.status_code == 200
        key = _case_key(response.content.decode())
    answered = Reading.objects.filter(participant=participant, outcome=Outcome.ANSWERED)
    assert answered.count() == 2
    assert Event.objects.filter(participant=participant, kind="answered").count() == 2
    assert Event.objects.filter(participant=participant, kind="served").count() == 3


def test_a_case_image_costs_two_queries(
    client: Client, study: Any, django_assert_max_num_queries: Any
) -> None:
    _join(client, study)
    key = _case_key(client.get(reverse("take:phase", args=[1])).content.decode())
    with django_assert_max_num_queries(IMAGE_QUERIES):
        response = client.get(reverse("take:image", args=[key]))
    assert response.status_code == 200


def test_case_images_and_case_pages_are_never_stored(client: Client, study: Any) -> None:
    _join(client, study)
    page = client.get(reverse("take:phase", args=[2]))
    assert "no-store" in page["Cache-Control"]
    key = _case_key(page.content.decode())
    image = client.get(reverse("take:image", args=[key]))
    assert image["Cache-Control"] == "no-store"
    untimed = client.get(reverse("take:phase", args=[1]))
    fragment = client.post(
        reverse("take:answer", args=[1]),
        {"case": _case_key(untimed.content.decode()), "diagnosis": "1"},
        **HTMX,
    )
    assert "no-store" in fragment["Cache-Control"]


def test_a_timed_cases_image_is_refused_after_its_deadline_before_the_next_request(
    client: Client, study: Any
) -> None:
    participant = _join(client, study)
    key = _case_key(client.get(reverse("take:phase", args=[2])).content.decode())
    reading = Reading.objects.get(participant=participant, case__key=key)
    assert reading.deadline is not None
    url = reverse("take:image", args=[key])
    # The deadline includes the grace: up to it the image is shown...
    with mock.patch("django.utils.timezone.now", return_value=reading.deadline):
        assert client.get(url).status_code == 200
    # ...and a moment after it, it is not, though nothing has closed the reading yet.
    late = reading.deadline + timedelta(milliseconds=1)
    with mock.patch("django.utils.timezone.now", return_value=late):
        assert client.get(url).status_code == 404
    reading.refresh_from_db()
    assert reading.outcome == Outcome.PENDING
    # The next request closes it, as before.
    with mock.patch("django.utils.timezone.now", return_value=late):
        following = client.get(reverse("take:phase", args=[2])).content.decode()
    assert _case_key(following) != key
    reading.refresh_from_db()
    assert reading.outcome == Outcome.TIMED_OUT


def test_an_untimed_cases_image_stays_while_the_case_is_open(client: Client, study: Any) -> None:
    _join(client, study)
    key = _case_key(client.get(reverse("take:phase", args=[1])).content.decode())
    much_later = timezone.now() + timedelta(days=3)
    with mock.patch("django.utils.timezone.now", return_value=much_later):
        assert client.get(reverse("take:image", args=[key])).status_code == 200


def test_last_seen_is_written_at_most_once_a_minute_by_pages_that_write_nothing(
    client: Client, study: Any
) -> None:
    participant = _join(client, study)
    seen = Participant.objects.get(pk=participant.pk).last_seen_at
    assert seen is not None
    with mock.patch("django.utils.timezone.now", return_value=seen + timedelta(seconds=30)):
        client.get(reverse("take:home"))
    assert Participant.objects.get(pk=participant.pk).last_seen_at == seen
    later = seen + timedelta(seconds=61)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client.get(reverse("take:home"))
    assert Participant.objects.get(pk=participant.pk).last_seen_at == later


def test_a_revoked_link_ends_the_session_at_the_next_request(client: Client, study: Any) -> None:
    participant = _join(client, study)
    key = _case_key(client.get(reverse("take:phase", args=[1])).content.decode())
    assert client.get(reverse("take:image", args=[key])).status_code == 200
    participant.invitation.revoked_at = timezone.now()
    participant.invitation.save()
    assert client.get(reverse("take:home")).status_code == 403
    assert client.get(reverse("take:image", args=[key])).status_code == 403
