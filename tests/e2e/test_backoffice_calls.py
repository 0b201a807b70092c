"""Staff screens of a call in a real browser, on the demo data (36 submitted consortia in the 2019
call): dashboard with the map, the list with a filter and a sort, a proposal — 0 axe violations,
and no page wider than a 375 px phone."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from oglabs.calls.models import Call
from oglabs.places.reference import read_reference
from oglabs.places.services import load_reference_data
from oglabs.proposals.models import Proposal
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import LoginHelper
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.browser

SLUG_2019 = "regionale-open-government-labore-2019"
PHONE = {"width": 375, "height": 800}


@pytest.fixture
def demo_call() -> Call:
    """The reference data and the demo (the 2019 call with its 36 consortia, decided)."""
    load_reference_data(read_reference())
    call_command("load_demo", stdout=io.StringIO())
    call = Call.objects.get(slug=SLUG_2019)
    assert Proposal.objects.filter(call=call, submitted_at__isnull=False).count() == 36
    return call


def assert_fits_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 375px screen"


def test_dashboard_of_2019_call_has_map_and_no_axe_violations(
    logged_in_page: LoginHelper, demo_call: Call
) -> None:
    page = logged_in_page(StaffFactory())
    page.goto(reverse("backoffice:call_dashboard", kwargs={"slug": demo_call.slug}))
    expect(page.locator("h1")).to_have_text(demo_call.title)
    svg = page.get_by_role("img", name="Karte: Interessenbekundungen nach Land der federführenden Kommune")
    expect(svg).to_be_visible()
    expect(svg.locator("path")).to_have_count(16)
    expect(page.locator("#land-table tbody tr")).to_have_count(16)
    expect(page.locator(".og-budget__figures")).to_contain_text("€ beantragt")
    expect(page.locator("nav.og-section-nav a[aria-current='page']")).to_have_text("Übersicht")
    assert_no_axe_violations(page)
    assert_fits_phone(page)
    assert_no_axe_violations(page)


def test_proposal_list_filtered_and_sorted_has_no_axe_violations(
    logged_in_page: LoginHelper, demo_call: Call
) -> None:
    page = logged_in_page(StaffFactory())
    page.goto(reverse("backoffice:proposal_list", kwargs={"slug": demo_call.slug}))
    expect(page.locator("tbody tr")).to_have_count(36)
    land = Proposal.objects.filter(call=demo_call).values_list("lead_municipality__state__name", flat=True)[0]
    expected = Proposal.objects.filter(call=demo_call, lead_municipality__state__name=land).count()
    page.get_by_label("Land").select_option(label=land)
    with page.expect_navigation():
        page.get_by_role("button", name="Anwenden").click()
    expect(page.locator("tbody tr")).to_have_count(expected)
    with page.expect_navigation():
        page.get_by_role("link", name="Beantragt").click()
    header = page.locator("th[aria-sort]")
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(header).to_contain_text("Beantragt")
    query = parse_qs(urlsplit(page.url).query)
    assert query["sort"] == ["requested"]
    assert query["land"]  # the filter survives sorting
    expect(page.locator("tbody tr")).to_have_count(expected)
    assert_no_axe_violations(page)
    assert_fits_phone(page)


def test_staff_proposal_detail_has_no_axe_violations(logged_in_page: LoginHelper, demo_call: Call) -> None:
    page = logged_in_page(StaffFactory())
    page.goto(reverse("backoffice:proposal_list", kwargs={"slug": demo_call.slug}))
    first = page.locator("tbody tr a").first
    reference = first.inner_text()
    with page.expect_navigation():
        first.click()
    expect(page.locator(".kern-preline").first).to_contain_text(reference)
    expect(page.get_by_role("heading", name="Fassungen")).to_be_visible()
    expect(page.locator("code.og-hash").first).to_have_text(
        Proposal.objects.get(reference=reference).versions.order_by("-number").first().sha256  # type: ignore[union-attr]
    )
    assert_no_axe_violations(page)
    assert_fits_phone(page)
