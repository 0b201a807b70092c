"""The proposal form in a real browser: start a proposal, walk every step with axe on each, add a
partner row with the keyboard only, and see the autosave say "Gespeichert"."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from oglabs.proposals import services
from oglabs.proposals.models import BudgetLine, Partner, Proposal
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import SCREENSHOT_DIR, LoginHelper
from tests.factories.accounts import UserFactory
from tests.factories.proposals import CallFactory, MunicipalityFactory
from tests.portal.conftest import reopen

pytestmark = pytest.mark.browser

MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def step_path(proposal: Proposal, step: str) -> str:
    return reverse("portal:proposal_edit_step", kwargs={"pk": proposal.pk, "step": step})


def shoot(page: Page, name: str) -> None:
    """With OGLABS_E2E_SCREENSHOTS set: a full-page screenshot at desktop width and at 375 px."""
    if not SCREENSHOT_DIR:
        return
    for label, size in (("desktop", DESKTOP), ("375", MOBILE)):
        page.set_viewport_size(size)  # type: ignore[arg-type]  # a plain dict is what Playwright takes
        page.screenshot(
            path=str(Path(SCREENSHOT_DIR) / f"editing-{name}-{label}.png"), full_page=True, caret="initial"
        )
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]  # as above


def check(page: Page, name: str) -> None:
    assert_no_axe_violations(page)
    shoot(page, name)


def click_and_wait(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def places() -> None:
    MunicipalityFactory(name="Falkensee", search_name="falkensee", ars="120630080080", kind="stadt")
    MunicipalityFactory(name="Nauen", search_name="nauen", ars="120630208208", kind="stadt")


def test_walk_all_steps_without_axe_violations(page: Page, logged_in_page: LoginHelper) -> None:
    places()
    call = reopen(CallFactory())
    user = UserFactory()
    logged_in_page(user)

    page.goto(reverse("portal:proposal_start", kwargs={"slug": call.slug}))
    expect(
        page.get_by_text(re.compile(r"Einreichung noch bis .* möglich \(noch 6 Tage, 23 Stunden\)"))
    ).to_be_visible()
    page.get_by_label("Titel des Labors").fill("Offenes Havelland")
    page.get_by_label("Federführende Kommune suchen").fill("Falkensee")
    click_and_wait(page, "Suchen")  # the search without htmx's help works as well
    page.get_by_label(re.compile("^Falkensee")).check()
    check(page, "0-start")
    click_and_wait(page, "Interessenbekundung anlegen")
    proposal = Proposal.objects.get(call=call)
    assert urlsplit(page.url).path == step_path(proposal, "allgemeines")

    # 1 Allgemeines
    check(page, "1-allgemeines")
    page.get_by_label("Region und Ausgangslage").fill("Ländlicher Raum westlich von Berlin.")
    page.get_by_label("Strukturwandel").check()
    page.get_by_label("Ort und Netzwerk").check()
    page.get_by_label("Moderation, Interessenausgleich und Konfliktmanagement").fill("Neutrale Moderation.")
    page.get_by_label("Eigenanteil (EUR)").fill("12.500,25")
    click_and_wait(page, "Speichern und weiter")

    # 2 Kommunen
    assert urlsplit(page.url).path == step_path(proposal, "kommunen")
    check(page, "2-kommunen")
    page.get_by_label("Name oder Gemeindeschlüssel").fill("Nauen")
    click_and_wait(page, "Suchen")
    check(page, "2-kommunen-treffer")
    click_and_wait(page, "Nauen hinzufügen")
    expect(page.get_by_role("button", name="Nauen entfernen")).to_be_visible()
    click_and_wait(page, "Weiter")

    # 3 Partner
    assert urlsplit(page.url).path == step_path(proposal, "partner")
    check(page, "3-partner")
    page.get_by_label("Art des Partners").select_option("civil_society")
    page.get_by_label("Name der Organisation").fill("Bürgerverein Havelland e. V.")
    click_and_wait(page, "Weiteren Partner hinzufügen")
    page.locator("select[name='partners-1-kind']").select_option("science")
    page.locator("input[name='partners-1-name']").fill("Fachhochschule Potsdam")
    check(page, "3-partner-zwei")
    click_and_wait(page, "Speichern und weiter")

    # 4 Laboraufgaben
    assert urlsplit(page.url).path == step_path(proposal, "aufgaben")
    check(page, "4-aufgaben")
    page.get_by_label("Titel der Aufgabe").fill("Bürgerhaushalt")
    page.get_by_label("Indikator").fill("Vorschläge")
    page.get_by_label("Zielwert").fill("50")
    page.get_by_label("Fällig am").fill("2021-06-30")
    page.get_by_label("Wie die Erfüllung geprüft wird").fill("Protokoll")
    click_and_wait(page, "Speichern und weiter")

    # 5 Mittelbedarf
    assert urlsplit(page.url).path == step_path(proposal, "mittelbedarf")
    page.get_by_label("Personal 2020 (EUR)").fill("12.500,25")
    page.get_by_label("Veranstaltungen 2021 (EUR)").fill("1000.50")
    click_and_wait(page, "Speichern")
    expect(page.locator("#total-all")).to_have_text("13.500,75 €")
    check(page, "5-mittelbedarf")
    click_and_wait(page, "Speichern und zur Übersicht")

    # 6 Übersicht
    assert urlsplit(page.url).path == step_path(proposal, "uebersicht")
    expect(page.get_by_role("heading", name="Alle Angaben sind vollständig.")).to_be_visible()
    check(page, "6-uebersicht")
    proposal.refresh_from_db()
    assert proposal.own_contribution == Decimal("12500.25")
    assert list(proposal.partners.order_by("position").values_list("kind", "name")) == [
        ("civil_society", "Bürgerverein Havelland e. V."),
        ("science", "Fachhochschule Potsdam"),
    ]
    assert list(
        BudgetLine.objects.filter(proposal=proposal).order_by("year").values_list("amount", flat=True)
    ) == [
        Decimal("12500.25"),
        Decimal("1000.50"),
    ]


def draft_for(user: object) -> Proposal:
    places()
    call = reopen(CallFactory())
    return services.start_proposal(
        call=call,
        actor=user,  # type: ignore[arg-type]  # a User from the factory
        title="Offenes Havelland",
        lead_municipality=None,
        now=timezone.now(),
    )


def test_keyboard_only_adds_a_partner_row(page: Page, logged_in_page: LoginHelper) -> None:
    user = UserFactory()
    proposal = draft_for(user)
    logged_in_page(user)
    page.goto(step_path(proposal, "partner"))
    page.locator("select[name='partners-0-kind']").focus()
    page.keyboard.press("ArrowDown")  # "Zivilgesellschaft"
    page.keyboard.press("Tab")
    page.keyboard.type("Bürgerverein")
    add = page.get_by_role("button", name="Weiteren Partner hinzufügen")
    for _ in range(12):  # Tab on until the button has the focus
        if add.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    assert add.evaluate("button => button === document.activeElement")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The new row's first field has the focus; fill it in and save with Enter.
    new_kind = page.locator("select[name='partners-1-kind']")
    expect(new_kind).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # "Wissenschaft"
    page.keyboard.press("Tab")
    page.keyboard.type("Fachhochschule")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the form's default button is "Speichern", not "entfernen"
    expect(page.get_by_text("Ihre Angaben sind gespeichert.")).to_be_visible()
    assert list(
        Partner.objects.filter(proposal=proposal).order_by("position").values_list("kind", "name")
    ) == [
        ("civil_society", "Bürgerverein"),
        ("science", "Fachhochschule"),
    ]
    assert_no_axe_violations(page)


def test_autosave_shows_gespeichert_and_saves_twice_without_conflict(
    page: Page, logged_in_page: LoginHelper
) -> None:
    user = UserFactory()
    proposal = draft_for(user)
    logged_in_page(user)
    page.goto(step_path(proposal, "allgemeines"))
    page.get_by_label("Region und Ausgangslage").fill("Erster Stand.")
    page.get_by_label("Titel des Labors").focus()  # leaving the field fires "change"
    status = page.locator("#autosave-status")
    expect(status).to_contain_text(re.compile(r"Gespeichert um \d\d:\d\d Uhr"))
    assert Proposal.objects.get(pk=proposal.pk).region == "Erster Stand."
    expect(page.locator("#id_expected_version")).to_have_value("1")

    page.get_by_label("Region und Ausgangslage").fill("Zweiter Stand.")
    page.get_by_label("Titel des Labors").focus()
    expect(page.locator("#id_expected_version")).to_have_value("2")
    fresh = Proposal.objects.get(pk=proposal.pk)
    assert (fresh.region, fresh.lock_version) == ("Zweiter Stand.", 2)
    expect(page.locator("#conflict-alert")).to_be_empty()
    assert_no_axe_violations(page)


def test_concurrent_edit_is_refused_in_the_browser_without_losing_input(
    page: Page, logged_in_page: LoginHelper
) -> None:
    user = UserFactory()
    proposal = draft_for(user)
    logged_in_page(user)
    page.goto(step_path(proposal, "allgemeines"))
    # A colleague saves the same section after the page was loaded.
    services.save_section(
        proposal,
        section="general",
        data={"title": "Titel der Kollegin"},
        expected_version=proposal.lock_version,
        actor=UserFactory(),
        now=timezone.now(),
    )
    page.get_by_label("Moderation, Interessenausgleich und Konfliktmanagement").fill("Mein getippter Text.")
    click_and_wait(page, "Speichern")
    alert = page.locator("#conflict-alert [role='alert']")
    expect(alert).to_contain_text(
        "Jemand anderes aus Ihrem Konsortium hat diesen Abschnitt inzwischen gespeichert."
    )
    expect(page.get_by_label("Moderation, Interessenausgleich und Konfliktmanagement")).to_have_value(
        "Mein getippter Text."
    )
    fresh = Proposal.objects.get(pk=proposal.pk)
    assert (fresh.title, fresh.moderation) == ("Titel der Kollegin", "")
    kept = fresh.versions.get(kind="conflict")
    assert kept.content["data"]["moderation"] == "Mein getippter Text."
    check(page, "konflikt")


def test_invalid_input_shows_error_summary_with_focus(page: Page, logged_in_page: LoginHelper) -> None:
    user = UserFactory()
    proposal = draft_for(user)
    logged_in_page(user)
    page.goto(step_path(proposal, "allgemeines"))
    page.get_by_label("Eigenanteil (EUR)").fill("zwölf Euro")
    click_and_wait(page, "Speichern")
    summary = page.locator("[data-og-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Eigenanteil (EUR): Bitte geben Sie einen Betrag in Euro an, zum Beispiel 12.500,25."]
    )
    expect(page.get_by_label("Eigenanteil (EUR)")).to_have_attribute("aria-invalid", "true")
    check(page, "fehler")
