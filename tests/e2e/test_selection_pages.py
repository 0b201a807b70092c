"""The selection in a real browser: staff run it twice with different caps, compare the runs,
decide with the prefilled reasons, and record a selected lab's withdrawal; 0 axe violations on
every page, and no page wider than a 375 px phone."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from oglabs.proposals.models import Proposal
from oglabs.selection.models import Decision, MoveUp, SelectionRun
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import LoginHelper
from tests.factories.accounts import StaffFactory
from tests.selection.competition import competition, spec

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
FIVE = [
    spec("A", 90, 150000),
    spec("B", 80, 100000),
    spec("C", 70, 120000),
    spec("D", 60, 40000),
    spec("E", 50, 60000, state="13", rural=False),
]


def _check(page: Page) -> None:
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 375px screen"
    page.set_viewport_size({"width": 1280, "height": 900})


def _run(page: Page, *, budget: str, max_labs: str, label: str) -> None:
    page.get_by_label("Bezeichnung des Laufs").fill(label)
    page.get_by_label("Budget (EUR)").fill(budget)
    page.get_by_label("Höchstzahl der Labore", exact=True).fill(max_labs)
    with page.expect_navigation():
        page.get_by_role("button", name="Auswahl berechnen").click()


def test_staff_run_compare_decide_and_record_a_withdrawal(logged_in_page: LoginHelper) -> None:
    call, proposals = competition(FIVE)
    page = logged_in_page(StaffFactory())
    page.goto(reverse("backoffice:selection_runs", kwargs={"slug": call.slug}))
    expect(page.locator("h1")).to_have_text("Auswahl")
    _check(page)
    _run(page, budget="300000", max_labs="16", label="Wie im Aufruf")
    expect(page.locator("h1")).to_contain_text("Lauf 1")
    expect(page.get_by_text("optimal bewiesen").first).to_be_visible()
    _check(page)
    page.goto(reverse("backoffice:selection_runs", kwargs={"slug": call.slug}))
    _run(page, budget="300000", max_labs="2", label="Höchstens zwei")
    assert SelectionRun.objects.filter(call=call).count() == 2

    page.goto(reverse("backoffice:selection_compare", kwargs={"slug": call.slug}))
    page.get_by_label("Lauf A").select_option("1")
    page.get_by_label("Lauf B").select_option("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Vergleichen").click()
    expect(page.locator("strong", has_text="geändert")).to_have_count(1)
    _check(page)

    page.goto(reverse("backoffice:selection_run", kwargs={"slug": call.slug, "number": 1}))
    with page.expect_navigation():
        page.get_by_role("link", name="Auf Grundlage dieses Laufs entscheiden").click()
    _check(page)
    page.get_by_label("Ich habe Ergebnis und Begründungen geprüft", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Förderentscheidung treffen").click()
    expect(page.locator("h1")).to_have_text("Förderentscheidung")
    assert Decision.objects.filter(call=call).count() == 1
    _check(page)

    b = proposals[1]
    with page.expect_navigation():
        page.get_by_role(
            "link", name=re.compile(f"^Rückzug erfassen und nachrücken lassen ?: {b.reference}$")
        ).click()
    _check(page)
    page.get_by_label("Grund des Rückzugs").fill("Der Kreistag hat nicht zugestimmt.")
    page.get_by_label("Das Labor ist zurückgetreten", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Rückzug erfassen und nachrücken lassen").click()
    expect(page.get_by_text(f"Nachgerückt ist {proposals[4].reference}.")).to_be_visible()
    assert MoveUp.objects.get().moved_up == proposals[4]
    assert Proposal.objects.get(pk=b.pk).state == "withdrawn"
    _check(page)
