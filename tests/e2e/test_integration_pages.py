"""The pieces that join issues 3 and 4, in a real browser: the back office's section navigation
(tabs on a desktop, a grid on a phone), the error summary jumping to a radio button, the
applicant's home with its support links, the mails on a proposal, the English call page with its
German texts marked — 0 axe violations on each, nothing wider than a 375 px phone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from oglabs.proposals import services
from oglabs.support import services as support_services
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import LoginHelper
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.calls import make_call
from tests.factories.proposals import CallFactory
from tests.factories.submitted import submitted_proposal
from tests.portal.conftest import open_draft

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("OGLABS_E2E_SCREENSHOTS", "")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def _check(page: Page, name: str) -> None:
    """One h1 and no axe violations at desktop and at phone width, and no sideways scrolling on
    the phone; with OGLABS_E2E_SCREENSHOTS a screenshot at each width."""
    assert page.locator("h1").count() == 1
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert_no_axe_violations(page)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: {overflow}px wider than {size['width']}px"
        if SCREENSHOTS:
            page.screenshot(
                path=str(Path(SCREENSHOTS) / f"integration-{name}-{size['width']}.png"), full_page=True
            )
    page.set_viewport_size(DESKTOP)


def test_section_navigation_marks_the_section_and_fits_a_phone(
    page: Page, logged_in_page: LoginHelper
) -> None:
    call = CallFactory()
    proposal = submitted_proposal(call, UserFactory())
    logged_in_page(StaffFactory())
    page.goto(reverse("backoffice:proposal_detail", kwargs={"pk": proposal.pk}))
    nav = page.get_by_role("navigation", name="Bereiche dieses Aufrufs")
    expect(nav.get_by_role("link")).to_have_text(
        [
            "Übersicht",
            "Interessenbekundungen",
            "Formale Prüfung",
            "Nachrichten",
            "Fragen und Antworten",
            "Workshops",
            "Überarbeitung",
            "Jury",
            "Auswahl",
            "Veröffentlichung",
        ]
    )
    expect(nav.locator("[aria-current]")).to_have_count(1)
    expect(nav.locator("a[aria-current='true']")).to_have_text("Interessenbekundungen")
    expect(page.get_by_role("heading", name="E-Mails an das Konsortium")).to_be_visible()
    list_style = nav.locator("ul").evaluate("ul => getComputedStyle(ul).listStyleType")
    assert list_style == "none"
    _check(page, "backoffice-proposal")
    page.goto(reverse("backoffice:workshops", kwargs={"slug": call.slug}))
    expect(nav.locator("a[aria-current='page']")).to_have_text("Workshops")
    _check(page, "backoffice-workshops")


def test_error_summary_link_moves_focus_to_the_first_radio_button(
    page: Page, logged_in_page: LoginHelper
) -> None:
    proposal = submitted_proposal(CallFactory(eligibility_four_eyes=False), UserFactory())
    logged_in_page(StaffFactory())
    page.goto(reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk}))
    with page.expect_navigation():
        page.get_by_role("button", name="Entscheiden und Konsortium benachrichtigen").click()
    summary = page.locator("[data-og-error-summary]")
    link = summary.get_by_role("link", name="Ergebnis der formalen Prüfung: Bitte wählen Sie ein Ergebnis.")
    expect(link).to_have_attribute("href", "#id_decision_0")
    link.click()
    assert page.evaluate("() => document.activeElement.id") == "id_decision_0"
    _check(page, "error-summary-radio")


def test_applicant_home_and_proposal_with_mails(page: Page, logged_in_page: LoginHelper) -> None:
    proposal, user = open_draft(UserFactory(email="lead@falkensee.example"))
    logged_in_page(user)
    page.goto(reverse("portal:home"))
    expect(page.get_by_role("link", name="Meine Workshops")).to_have_attribute(
        "href", reverse("portal:workshops")
    )
    ask = page.locator(f'a[href="{reverse("portal:ask_question", kwargs={"slug": proposal.call.slug})}"]')
    # KERN's kern-sr-only is a block of its own, so Chromium joins the name with a space before ":".
    expect(ask).to_have_accessible_name(
        re.compile(rf"^Frage zum Aufruf stellen ?: {proposal.call.title}\s*$")
    )
    _check(page, "portal-home")
    services.invite_member(proposal, email="kollegin@example.org", actor=user, now=timezone.now())
    page.goto(reverse("portal:proposal_detail", kwargs={"pk": proposal.pk}))
    rows = page.locator("section[aria-labelledby='mails-heading'] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("th")).to_contain_text("Einladung ins Konsortium")
    # The live server's mail worker may already have sent it.
    expect(rows.locator("td").last).to_have_text(re.compile(r"^\s*(wartet|gesendet\s.*Uhr)\s*$"))
    _check(page, "portal-proposal-mails")


def test_english_call_page_and_faq_mark_the_german_texts(page: Page) -> None:
    call = make_call()
    staff = StaffFactory()
    now = timezone.now()
    question = support_services.ask_question(
        call, asker=None, name="Erika", email="erika@example.net", text="Wer darf?", source="public", now=now
    )
    support_services.answer_question(
        question,
        actor=staff,
        public_question="Dürfen Landkreise sich bewerben?",
        answer="Ja.",
        topic="Teilnahme",
        now=now,
    )
    support_services.publish_answer(question, actor=staff, now=now)
    page.goto(f"/en/aufrufe/{call.slug}/")
    expect(page.locator("h1")).to_have_attribute("lang", "de")
    expect(page.get_by_text("€3,000,000")).to_be_visible()
    _check(page, "call-en")
    page.goto(f"/en/aufrufe/{call.slug}/fragen/")
    expect(page.get_by_role("heading", name="Dürfen Landkreise sich bewerben?")).to_have_attribute(
        "lang", "de"
    )
    _check(page, "faq-en")
