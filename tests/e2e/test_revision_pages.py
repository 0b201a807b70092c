"""The revision window in a real browser: the staff page, the diff page, the merge page; 0 axe violations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from oglabs.calls.models import Phase
from oglabs.proposals import services
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import LoginHelper
from tests.factories.accounts import JurorFactory, StaffFactory
from tests.factories.proposals import CallFactory, ProposalFactory
from tests.factories.reviews import JurySeatFactory, ReviewFactory
from tests.proposals.test_revision import OPENED_AT, REVISION_DEADLINE, build_submitted, make_eligible

pytestmark = pytest.mark.browser

S = ProposalState


def _revised() -> Proposal:
    staff = StaffFactory()
    call = CallFactory()
    proposal, user = build_submitted(call)
    make_eligible(proposal, staff)
    services.open_revision(call, actor=staff, deadline_at=REVISION_DEADLINE, now=OPENED_AT)
    proposal.refresh_from_db()
    changes = [
        (
            "general",
            {
                "title": "Labor Falkensee: offen und vernetzt",
                "region": "Ländlicher Raum östlich von Berlin.\nZwei Städte, viele Dörfer und ein Fluss.",
                "lab_form": "both",
                "challenges": ["strukturwandel", "digitalisierung"],
            },
        ),
        (
            "partners",
            [
                {
                    "kind": "civil_society",
                    "name": "Bürgerverein Falkensee",
                    "role_in_lab": "Beteiligung und Moderation",
                },
                {"kind": "arts", "name": "Theater am Fluss", "role_in_lab": "Formate"},
            ],
        ),
        (
            "budget",
            [
                {"year": 2020, "category": "staff", "amount": "45000.00"},
                {"year": 2021, "category": "events", "amount": "8000.00"},
                {"year": 2022, "category": "travel", "amount": "1200.50"},
            ],
        ),
    ]
    for section, data in changes:
        proposal = services.save_section(
            proposal,
            section=section,
            data=data,
            expected_version=proposal.lock_version,
            actor=user,
            now=OPENED_AT,
        )
    services.submit_proposal(proposal, actor=user, now=OPENED_AT)
    proposal.refresh_from_db()
    return proposal


def test_revision_window_page_has_no_axe_violations(page: Page, logged_in_page: LoginHelper) -> None:
    call = CallFactory()
    for _ in range(3):
        ProposalFactory(call=call, state=S.ELIGIBLE)
    logged_in_page(StaffFactory())
    page.goto(reverse("backoffice:revision", kwargs={"slug": call.slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Überarbeitungsphase")
    assert_no_axe_violations(page)
    # a failed submission: the error summary and the field errors
    day = (timezone.now() - dt.timedelta(days=1)).date().strftime("%d.%m.%Y")
    page.get_by_label("Frist: Datum").fill(day)
    with page.expect_navigation():
        page.get_by_role("button", name="Überarbeitungsphase öffnen").click()
    expect(page.get_by_role("alert")).to_contain_text("Die Frist muss in der Zukunft liegen.")
    assert_no_axe_violations(page)
    # opened
    day = (timezone.now() + dt.timedelta(days=14)).date().strftime("%d.%m.%Y")
    page.get_by_label("Frist: Datum").fill(day)
    with page.expect_navigation():
        page.get_by_role("button", name="Überarbeitungsphase öffnen").click()
    expect(page.get_by_text("3 Interessenbekundungen wurden zur Überarbeitung freigegeben")).to_be_visible()
    assert_no_axe_violations(page)


def test_diff_page_has_no_axe_violations(page: Page, logged_in_page: LoginHelper) -> None:
    proposal = _revised()
    logged_in_page(StaffFactory())
    page.goto(reverse("backoffice:proposal_diff", kwargs={"pk": proposal.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Änderungen zwischen zwei Fassungen")
    expect(page.locator("ins").filter(has_text="östlich").first).to_be_visible()
    page.locator("details summary").click()
    assert_no_axe_violations(page)


def test_diff_page_for_a_juror_has_no_axe_violations(page: Page, logged_in_page: LoginHelper) -> None:
    proposal = _revised()
    juror = JurorFactory()
    # A juror sees a proposal only through a review of it (reviews.queries.visible_proposals_for_juror).
    ReviewFactory(juror=JurySeatFactory(call=proposal.call, user=juror), proposal=proposal)
    logged_in_page(juror)
    page.goto(reverse("backoffice:proposal_diff", kwargs={"pk": proposal.pk}))
    expect(page.get_by_role("table")).to_be_visible()
    assert_no_axe_violations(page)


def test_merge_pages_have_no_axe_violations(page: Page, logged_in_page: LoginHelper) -> None:
    staff = StaffFactory()
    call = CallFactory()
    source, source_lead = build_submitted(call, name="Falkensee")
    target, target_lead = build_submitted(call, name="Nauen")
    for proposal in (source, target):
        make_eligible(proposal, staff)
        Proposal.objects.filter(pk=proposal.pk).update(state=S.IN_REVISION)
    deadline = timezone.now() + dt.timedelta(days=7)
    Phase.objects.create(call=call, kind="revision_deadline", starts_at=deadline, ends_at=deadline)
    source.refresh_from_db()
    target.refresh_from_db()
    services.request_merge(source, target, actor=source_lead, now=timezone.now())

    logged_in_page(target_lead)
    page.goto(reverse("portal:merge", kwargs={"pk": target.pk}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit einem anderen Konsortium zusammenlegen")
    assert_no_axe_violations(page)
    page.get_by_label("Kennung des anderen Vorschlags").fill("OGL-0000-0000")
    with page.expect_navigation():
        page.get_by_role("button", name="Anfrage stellen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.locator("button[value='consent']").click()
    expect(page.get_by_text("ist jetzt in")).to_be_visible()
    assert_no_axe_violations(page)
