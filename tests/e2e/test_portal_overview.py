"""The applicant's overview pages in a real browser: 0 axe violations (WCAG 2.1 A/AA) on the
portal home, a proposal's detail, the submit page (also after a refusal), attachments, members,
the invitation page and the public partner confirmation page; and the submit works by keyboard."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from oglabs.proposals import services
from oglabs.proposals.models import Proposal
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import LoginHelper
from tests.factories.accounts import UserFactory
from tests.portal.conftest import open_draft

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("OGLABS_E2E_SCREENSHOTS", "")


def _check(page: Page, path: str, name: str, *, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{path}: HTTP {response.status}"
    assert urlsplit(page.url).path == path
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)
    if SCREENSHOTS:
        for width, height in ((1280, 900), (375, 812)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(Path(SCREENSHOTS) / f"overview-{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        assert_no_axe_violations(page)


def test_overview_pages_have_no_axe_violations(page: Page, logged_in_page: LoginHelper) -> None:
    proposal, user = open_draft(UserFactory(email="lead@falkensee.example"))
    logged_in_page(user)
    _check(page, reverse("portal:home"), "home")
    _check(page, reverse("portal:proposal_detail", kwargs={"pk": proposal.pk}), "detail")
    _check(page, reverse("portal:attachments", kwargs={"pk": proposal.pk}), "attachments")
    _check(page, reverse("portal:members", kwargs={"pk": proposal.pk}), "members")
    _check(page, reverse("portal:proposal_withdraw", kwargs={"pk": proposal.pk}), "withdraw")
    _check(page, reverse("portal:proposal_submit", kwargs={"pk": proposal.pk}), "submit")

    # Submit with the keyboard: focus the button and press Enter.
    button = page.get_by_role("button", name="Verbindlich einreichen")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    expect(page.get_by_role("status").first).to_contain_text(
        f"Ihre Interessenbekundung {proposal.reference} ist eingegangen"
    )
    assert Proposal.objects.get(pk=proposal.pk).state == "submitted"
    assert_no_axe_violations(page)
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "overview-detail-submitted-1280.png"), full_page=True)


def test_refused_submit_and_invitation_have_no_axe_violations(
    page: Page, logged_in_page: LoginHelper
) -> None:
    proposal, lead = open_draft()
    user = UserFactory()
    incomplete = services.start_proposal(
        call=proposal.call, actor=user, title="Halbfertig", lead_municipality=None, now=timezone.now()
    )
    _invitation, token = services.invite_member(proposal, email=user.email, actor=lead, now=timezone.now())
    logged_in_page(user)
    _check(page, reverse("portal:proposal_submit", kwargs={"pk": incomplete.pk}), "submit-incomplete")
    _check(page, reverse("portal:accept_invitation", kwargs={"token": token}), "invitation")
    with page.expect_navigation():
        page.get_by_role("button", name="Einladung annehmen").click()
    assert urlsplit(page.url).path == reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    assert_no_axe_violations(page)


def test_partner_confirmation_page_has_no_axe_violations(page: Page) -> None:
    proposal, user = open_draft()
    partner = proposal.partners.order_by("position").first()
    assert partner is not None
    token = services.request_partner_confirmation(partner, actor=user, now=timezone.now())
    _check(page, f"/bestaetigung/{token}/", "confirmation")
    with page.expect_navigation():
        page.get_by_role("button", name="Teilnahme bestätigen").click()
    expect(page.get_by_role("status")).to_contain_text("Vielen Dank!")
    assert_no_axe_violations(page)
    _check(page, f"/bestaetigung/{token}/", "confirmation-used", status=404)
