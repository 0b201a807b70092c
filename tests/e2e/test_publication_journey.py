"""Issue 6 in a real browser: a decided call is published through redaction with four eyes. One
staff member prepares the reasons (an e-mail address and a consortium member's name are marked
automatically) and adds a phrase by hand; the same person may not confirm; a second staff member
confirms every text and publishes; the public decision page then shows the redacted reasons and
none of the personal data. One h1 and 0 axe violations on every page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from oglabs.proposals.models import ConsortiumMember
from oglabs.selection import services as selection
from oglabs.selection.models import DecisionEntry
from oglabs.transparency.models import PublicText
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import LoginHelper, current_totp_code, submit_form_of, totp_secret_for
from tests.factories.accounts import PASSWORD, StaffFactory
from tests.selection.competition import competition, spec

pytestmark = pytest.mark.browser

EMAIL = "erika.quxmar@planted-marker.example"
HAND_PHRASE = "Kreisbaumeisterin Vlorptinski"


def _looks_right(page: Page) -> None:
    assert page.locator("h1").count() == 1, f"{page.url}: not exactly one h1"
    assert_no_axe_violations(page)


def _click(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _decided_call():  # type: ignore[no-untyped-def]
    call, proposals = competition([spec("A", (9, 8), 150000), spec("B", (7, 7), 120000), spec("C", 5, 90000)])
    lead = ConsortiumMember.objects.get(proposal=proposals[0])
    lead.user.first_name, lead.user.last_name = "Erika", "Quxmar"
    lead.user.save(update_fields=["first_name", "last_name"])
    staff = StaffFactory()
    now = timezone.now() - dt.timedelta(hours=1)
    run = selection.run_selection(call, budget=Decimal("300000"), max_labs=16, actor=staff, now=now)
    reasons = {p.pk: f"Begründung für {p.title}." for p in proposals}
    reasons[proposals[0].pk] += f" Rückfragen an Erika Quxmar ({EMAIL}); vor Ort: {HAND_PHRASE}."
    selection.decide(run, reasons=reasons, actor=staff, now=now)
    return call, proposals


def test_reasons_are_redacted_confirmed_by_a_second_person_and_published(
    logged_in_page: LoginHelper, browser, live_server
) -> None:  # type: ignore[no-untyped-def]
    call, proposals = _decided_call()
    queue = reverse("backoffice:redaction_queue", kwargs={"slug": call.slug})

    # The first staff member prepares the texts and adds a phrase by hand.
    first = logged_in_page(StaffFactory())
    first.goto(queue)
    _looks_right(first)
    _click(first, "Begründungen zur Schwärzung vorbereiten")
    _looks_right(first)
    assert PublicText.objects.filter(decision__call=call).count() == 3
    with first.expect_navigation():
        first.get_by_role("link", name=f"{proposals[0].reference}: {proposals[0].title}").click()
    _looks_right(first)
    expect(first.locator("mark").first).to_be_visible()
    first.locator("[name='phrase']").fill(HAND_PHRASE)
    _click(first, "Schwärzungen speichern")
    _looks_right(first)
    # The person who marked is not offered the confirmation (the service refuses it too).
    expect(first.get_by_role("button", name="Schwärzungen bestätigen")).to_have_count(0)
    assert PublicText.objects.filter(decision__call=call, status="confirmed").count() == 0

    # A second staff member confirms every text and publishes.
    context = browser.new_context(base_url=str(live_server.url), locale="de-DE")
    second_page = context.new_page()
    second = StaffFactory()
    secret = totp_secret_for(second)
    second_page.goto(reverse("account_login"))
    second_page.locator("input[name='login']").fill(second.email)
    second_page.locator("input[name='password']").fill(PASSWORD)
    submit_form_of(second_page, "password")
    second_page.locator("input[name='code']").fill(current_totp_code(secret))
    submit_form_of(second_page, "code")
    for text in PublicText.objects.filter(decision__call=call).select_related("proposal").order_by("pk"):
        second_page.goto(reverse("backoffice:redaction_text", kwargs={"slug": call.slug, "pk": text.pk}))
        _looks_right(second_page)
        _click(second_page, "Schwärzungen bestätigen")
    assert PublicText.objects.filter(decision__call=call, status="confirmed").count() == 3
    second_page.goto(queue)
    _looks_right(second_page)
    _click(second_page, "Veröffentlichen")
    _looks_right(second_page)
    context.close()

    # The public decision page: redacted reasons, none of the personal data.
    public = first
    public.goto(reverse("public:call_decision", kwargs={"slug": call.slug}))
    _looks_right(public)
    html = public.content()
    assert "[geschwärzt]" in html
    for needle in ("Quxmar", "planted-marker", HAND_PHRASE, "Vlorptinski"):
        assert needle not in html
    reason = DecisionEntry.objects.get(proposal=proposals[0]).reason
    assert EMAIL in reason  # the consortium's own record keeps the full reason
