"""An answer sent while the server is away is retried by the page, which says so; stored once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from contests.models import Outcome, Reading, Study
from tests.browser.test_gp_pages import CASE_KEY, _join, _link, study

pytestmark = pytest.mark.browser
__all__ = ["study"]  # the fixture, shared with the other GP page tests


def test_a_failed_answer_is_retried_and_stored_once(phone: Page, study: Study) -> None:
    _join(phone, _link(study))
    phone.click("#start-1")
    first = phone.input_value(CASE_KEY)
    refused: list[str] = []

    def outage(route: Route) -> None:
        # The first two tries meet a server that is down; the third goes through.
        if len(refused) < 2:
            refused.append(route.request.url)
            route.fulfill(status=503, body="unavailable")
        else:
            route.continue_()

    phone.route("**/answer/", outage)
    phone.keyboard.press("3")
    expect(phone.locator("#save-status")).to_be_visible()
    expect(phone.locator("#save-status")).to_contain_text("Retrying")
    expect(phone.locator(CASE_KEY)).not_to_have_value(first, timeout=15_000)
    expect(phone.locator("#save-status")).to_be_hidden()
    assert len(refused) == 2
    answered = Reading.objects.filter(outcome=Outcome.ANSWERED)
    assert answered.count() == 1
    assert answered.get().case.key == first


def test_a_refused_answer_asks_the_reader_to_reload(phone: Page, study: Study) -> None:
    _join(phone, _link(study))
    phone.click("#start-1")

    def gone(route: Route) -> None:
        route.fulfill(status=403, body="no session")

    phone.route("**/answer/", gone)
    phone.keyboard.press("2")
    expect(phone.locator("#save-status")).to_contain_text("reload the page")
    assert not Reading.objects.filter(outcome=Outcome.ANSWERED).exists()
