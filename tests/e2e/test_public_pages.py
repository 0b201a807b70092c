"""The public statistics and decision pages in a real browser: no axe violations (WCAG 2.1 A/AA),
German and English, and the decision table filtered and paged without JavaScript."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from oglabs.selection.models import DecisionEntry, Outcome
from tests.e2e.axe import assert_no_axe_violations
from tests.factories.opendata import decided_call
from tests.factories.proposals import CallFactory

pytestmark = pytest.mark.browser


def open_page(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path}: HTTP {response.status}"


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_statistics_and_decision_pages_have_no_axe_violations(page: Page, prefix: str) -> None:
    built = decided_call(proposals=8)
    slug = built.call.slug
    reference = built.proposals[0].reference

    for path in (
        reverse("public:call_statistics", kwargs={"slug": slug}),
        reverse("public:call_decision", kwargs={"slug": slug}),
        reverse("public:call_decision", kwargs={"slug": slug}) + "?outcome=not_selected&sort=land",
        reverse("public:decision_proposal", kwargs={"slug": slug, "reference": reference}),
    ):
        open_page(page, prefix + path)
        expect(page.locator("html")).to_have_attribute("lang", "en" if prefix else "de")
        assert_no_axe_violations(page)


def test_decision_page_before_publication_has_no_axe_violations(page: Page) -> None:
    call = CallFactory()

    open_page(page, reverse("public:call_decision", kwargs={"slug": call.slug}))

    expect(page.get_by_text("Die Auswahlentscheidung ist noch nicht veröffentlicht.")).to_be_visible()
    assert_no_axe_violations(page)


def test_decision_table_filters_by_form_without_javascript(page: Page) -> None:
    built = decided_call(proposals=8)
    expected = DecisionEntry.objects.filter(decision=built.decision, outcome=Outcome.SELECTED).count()
    open_page(page, reverse("public:call_decision", kwargs={"slug": built.call.slug}))

    page.get_by_label("Ergebnis", exact=True).select_option("selected")
    with page.expect_navigation():
        page.get_by_role("button", name="Anwenden").click()

    assert parse_qs(urlsplit(page.url).query)["outcome"] == ["selected"]
    expect(page.locator("#entries-caption + thead + tbody tr, table.og-entries tbody tr")).to_have_count(
        expected
    )
    assert_no_axe_violations(page)


def test_language_links_switch_the_decision_page_to_english(page: Page) -> None:
    built = decided_call(proposals=3)
    open_page(page, reverse("public:call_decision", kwargs={"slug": built.call.slug}))

    with page.expect_navigation():
        page.get_by_role("link", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert urlsplit(page.url).path.startswith("/en/aufrufe/")
