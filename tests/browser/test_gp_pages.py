"""A GP on a phone-sized Chromium: consent, cases by key and by tap, leaving and coming back,
a countdown that runs out, the AI's hint, the Spanish pages, and never a sideways scroll."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from contests.models import HintStyle, Outcome, Reading, Study
from contests.services.content import study_texts_update
from contests.services.invitations import invitation_create_batch
from tests.browser.conftest import PHONE, page_scrolls_sideways
from tests.contests.factories import (
    PhaseFactory,
    StudyFactory,
    TrainingRunFactory,
    add_cases,
    predict,
)

pytestmark = pytest.mark.browser

CASE_KEY = '#answer-form input[name="case"]'


@pytest.fixture
def study(transactional_db: None) -> Study:
    study = StudyFactory(title="Pigmented lesions", consent_text="You may stop at any time.")
    add_cases(PhaseFactory(study=study, order=1, title="Untimed"), 5)
    add_cases(PhaseFactory(study=study, order=2, title="Quick", time_limit_seconds=5), 2)
    run = TrainingRunFactory(name="effnet-b5")
    hinted = PhaseFactory(
        study=study, order=3, title="With the AI", hint_style=HintStyle.ALL, hint_run=run
    )
    predict(run, [case.image for case in add_cases(hinted, 2)], top="mel", p=0.81)
    return study


def _link(study: Study) -> str:
    [(_, token)] = invitation_create_batch(study=study, n=1, now=timezone.now())
    return reverse("take:invitation", kwargs={"token": token})


def _no_sideways_scroll(page: Page) -> None:
    assert not page_scrolls_sideways(page), page.url


def _join(page: Page, link: str, language: str = "en") -> None:
    """From the link to the study overview, checking each page fits the phone's width."""
    page.goto(link)
    _no_sideways_scroll(page)
    page.click(f"#language-{language}")
    expect(page.locator("#consent-text")).to_be_visible()
    _no_sideways_scroll(page)
    page.click("#consent-accept")
    page.fill("#id_years_in_practice", "9")
    page.select_option("#id_specialty", "general_practice")
    page.select_option("#id_dermoscopy_training", "none")
    page.fill("#id_country", "Argentina")
    _no_sideways_scroll(page)
    page.click("#profile-save")
    expect(page.locator("#start-1")).to_be_visible()
    _no_sideways_scroll(page)


def _answer_and_wait(page: Page, how: str) -> str:
    """Answer the case shown (a key or a button id) and wait for the next one to replace it."""
    before = page.input_value(CASE_KEY)
    if how.startswith("#"):
        page.click(how)
    else:
        page.keyboard.press(how)
    expect(page.locator(CASE_KEY)).not_to_have_value(before)
    return page.input_value(CASE_KEY)


def test_a_gp_answers_part_of_the_untimed_phase_leaves_and_continues_at_the_same_case(
    browser: Browser, phone: Page, live_server: Any, study: Study
) -> None:
    link = _link(study)
    _join(phone, link)
    phone.click("#start-1")
    expect(phone.locator("#case-image")).to_be_visible()
    _no_sideways_scroll(phone)
    phone.click("#zoom-toggle")
    expect(phone.locator("#case-figure.zoomed")).to_be_visible()
    _no_sideways_scroll(phone)
    _answer_and_wait(phone, "3")  # keyboard shortcut
    waiting = _answer_and_wait(phone, "#answer-6")  # a tap
    phone.context.close()

    # Later, in a new browser (no cookies): the same link, the same case.
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    page = context.new_page()
    page.goto(link)
    expect(page.locator("#start-1")).to_have_text("Continue")
    page.click("#start-1")
    expect(page.locator(CASE_KEY)).to_have_value(waiting)
    expect(page.locator("#case-title")).to_contain_text("3")
    context.close()
    answered = Reading.objects.filter(outcome=Outcome.ANSWERED).order_by("position")
    assert [r.diagnosis for r in answered] == ["bkl", "nv"]
    assert Reading.objects.get(case__key=waiting).outcome == Outcome.PENDING


def test_a_timed_case_runs_out_and_the_page_moves_on_by_itself(phone: Page, study: Study) -> None:
    _join(phone, _link(study))
    phone.click("#start-2")
    expect(phone.locator("#countdown")).to_be_visible()
    first = phone.input_value(CASE_KEY)
    # Nobody touches the page: after 5 s (the shortest limit a study may set) the countdown
    # reports the timeout and the next case comes in by itself.
    expect(phone.locator(CASE_KEY)).not_to_have_value(first, timeout=10_000)
    reading = Reading.objects.get(case__key=first)
    assert reading.outcome == Outcome.TIMED_OUT
    assert 4_500 <= reading.elapsed_ms <= 7_000
    _no_sideways_scroll(phone)


def test_the_ai_phase_shows_the_hint_beside_the_image(phone: Page, study: Study) -> None:
    _join(phone, _link(study))
    phone.click("#start-3")
    hint = phone.locator("#hint")
    expect(hint).to_be_visible()
    expect(hint.locator("tr")).to_have_count(7)
    expect(hint.locator("tr", has_text="Melanoma")).to_contain_text("81%")
    expect(hint).to_contain_text("effnet-b5")
    _no_sideways_scroll(phone)
    _answer_and_wait(phone, "5")
    expect(phone.locator("#hint")).to_be_visible()
    assert Reading.objects.filter(hint__top="mel").count() == 2


def test_the_spanish_pages(phone: Page, study: Study) -> None:
    phone.goto(_link(study))
    phone.click("#language-es")
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.locator("#consent-accept")).to_have_text("Acepto participar")
    phone.click("#consent-accept")
    expect(phone.locator("h1")).to_have_text("Sobre usted")
    phone.fill("#id_years_in_practice", "4")
    phone.select_option("#id_specialty", "general_practice")
    phone.select_option("#id_dermoscopy_training", "formal")
    phone.fill("#id_country", "Argentina")
    phone.click("#profile-save")
    expect(phone.locator("#start-1")).to_have_text("Comenzar")
    _no_sideways_scroll(phone)
    phone.click("#start-3")
    expect(phone.locator("#hint-title")).to_have_text("La opinión de la IA")
    expect(phone.locator("#answer-6")).to_contain_text("Nevo melanocítico")
    expect(phone.locator("#clinical")).to_contain_text("Localización")
    _no_sideways_scroll(phone)
    # And back to English from the page itself.
    phone.click("#switch-en")
    expect(phone.locator("html")).to_have_attribute("lang", "en")


def test_a_new_consent_text_stops_the_reader_after_the_case_on_screen_until_they_agree(
    phone: Page, study: Study
) -> None:
    study_texts_update(
        study=study,
        texts={"es": {"title": "Lesiones pigmentadas", "consent_text": "Puede parar."}},
    )
    phone.goto(_link(study))
    phone.click("#language-es")
    expect(phone.locator("#consent-text")).to_contain_text("Puede parar.")
    phone.click("#consent-accept")
    phone.fill("#id_years_in_practice", "4")
    phone.select_option("#id_specialty", "general_practice")
    phone.select_option("#id_dermoscopy_training", "formal")
    phone.fill("#id_country", "Chile")
    phone.click("#profile-save")
    expect(phone.locator("h1")).to_have_text("Lesiones pigmentadas")
    phone.click("#start-1")
    on_screen = phone.input_value(CASE_KEY)
    # The researcher changes the consent text while the case is on the GP's screen.
    study_texts_update(study=study, texts={"es": {"consent_text": "Condiciones nuevas."}})
    phone.keyboard.press("2")
    expect(phone.locator("#consent-again")).to_be_visible()
    expect(phone.locator("#consent-text")).to_contain_text("Condiciones nuevas.")
    _no_sideways_scroll(phone)
    assert Reading.objects.get(case__key=on_screen).diagnosis == "bcc"  # the answer was kept
    phone.click("#consent-accept")
    expect(phone.locator("#start-1")).to_be_visible()
    phone.click("#start-1")
    expect(phone.locator(CASE_KEY)).not_to_have_value(on_screen)
    assert Reading.objects.filter(outcome=Outcome.ANSWERED).count() == 1
