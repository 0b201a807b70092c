"""The formal check and messages to consortia in a real browser: the queue, the check page (with
its error state and after the decision), the four-eyes confirmation panel, the message form and
its preview — 0 axe violations (WCAG 2.1 A/AA) on each; the decision and the sending work."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from oglabs.mail.models import OutboxMail
from oglabs.proposals import services
from oglabs.proposals.models import ProposalMailKind
from oglabs.proposals.states import ProposalState
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import LoginHelper
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import NOW, CallFactory
from tests.factories.submitted import submitted_proposal

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("OGLABS_E2E_SCREENSHOTS", "")
REASON = "Die Absichtserklärung der zivilgesellschaftlichen Partner fehlt."


def _looks_right(page: Page, name: str) -> None:
    """One h1, no axe violations; with OGLABS_E2E_SCREENSHOTS a screenshot at desktop and phone width."""
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)
    if SCREENSHOTS:
        for width, height in ((1280, 900), (375, 812)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(Path(SCREENSHOTS) / f"eligibility-{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def _open(page: Page, path: str, name: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path}: HTTP {response.status}"
    _looks_right(page, name)


def test_staff_checks_two_proposals_and_writes_to_the_consortia(
    page: Page, logged_in_page: LoginHelper
) -> None:
    call = CallFactory(eligibility_four_eyes=False)
    first = submitted_proposal(call, UserFactory(email="lead@falkensee.example"), name="Falkensee")
    second = submitted_proposal(call, UserFactory(email="lead@nauen.example"), name="Nauen")
    logged_in_page(StaffFactory())

    _open(page, reverse("backoffice:eligibility_queue", kwargs={"slug": call.slug}), "queue")
    with page.expect_navigation():
        page.get_by_role("link", name=f"{first.reference}: {first.title}").click()
    check_path = reverse("backoffice:eligibility_check", kwargs={"pk": first.pk})
    assert urlsplit(page.url).path == check_path
    expect(page.locator(".og-finding--met")).to_have_count(6)
    _looks_right(page, "check")

    # Ineligible without a reason: a German error, focus on the error summary.
    page.get_by_label("nicht förderfähig").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Entscheiden und Konsortium benachrichtigen").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Bitte begründen Sie, warum die Interessenbekundung nicht förderfähig ist."
    )
    _looks_right(page, "check-error")

    page.get_by_label("Begründung").fill(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="Entscheiden und Konsortium benachrichtigen").click()
    expect(page.get_by_role("status").first).to_contain_text("Das Prüfergebnis ist gespeichert")
    _looks_right(page, "check-decided")
    first.refresh_from_db()
    assert first.state == ProposalState.INELIGIBLE

    page.goto(reverse("backoffice:eligibility_check", kwargs={"pk": second.pk}))
    page.get_by_label("förderfähig", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Entscheiden und Konsortium benachrichtigen").click()
    second.refresh_from_db()
    assert second.state == ProposalState.ELIGIBLE
    assert OutboxMail.objects.filter(kind=ProposalMailKind.ELIGIBILITY_DECISION).count() == 2

    # A message to the eligible consortia: form, preview with the count, send.
    _open(page, reverse("backoffice:messages", kwargs={"slug": call.slug}), "messages")
    page.get_by_label("förderfähig", exact=True).check()
    page.get_by_label("Betreff").fill("Einladung zum Workshop")
    page.get_by_label("Text").fill("Guten Tag,\n\nwir laden Sie zum Workshop am 20. November ein.")
    with page.expect_navigation():
        page.get_by_role("button", name="Vorschau und Empfänger anzeigen").click()
    expect(page.locator("[data-og-audience]")).to_have_text(
        "Die Nachricht geht an 1 Konsortium mit 1 Empfängeradresse(n)."
    )
    expect(page.locator(".og-mail-preview")).to_contain_text(
        "wir laden Sie zum Workshop am 20. November ein."
    )
    _looks_right(page, "messages-preview")

    page.get_by_label("Ich habe die Vorschau und die Zahl der Empfänger geprüft").check()
    with page.expect_navigation():
        page.get_by_role("button", name="An 1 Konsortium senden").click()
    expect(page.get_by_role("status").first).to_contain_text("1 Nachricht ist in den Postausgang gestellt.")
    [mail] = OutboxMail.objects.filter(kind=ProposalMailKind.MESSAGE)
    assert mail.to == ["lead@nauen.example"]


def test_four_eyes_confirmation_panel_has_no_axe_violations(page: Page, logged_in_page: LoginHelper) -> None:
    call = CallFactory(eligibility_four_eyes=True)
    proposal = submitted_proposal(call)
    services.decide_eligibility(proposal, actor=StaffFactory(), decision="ineligible", reason=REASON, now=NOW)
    logged_in_page(StaffFactory())

    _open(page, reverse("backoffice:eligibility_queue", kwargs={"slug": call.slug}), "queue-four-eyes")
    _open(page, reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk}), "confirm")

    with page.expect_navigation():
        page.get_by_role("button", name="Zurückweisen").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Bitte geben Sie an, warum Sie das Prüfergebnis zurückweisen."
    )
    _looks_right(page, "confirm-error")

    with page.expect_navigation():
        page.get_by_role("button", name="Ergebnis bestätigen").click()
    expect(page.get_by_role("status").first).to_contain_text("Das Prüfergebnis ist bestätigt")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.INELIGIBLE
