"""The applicant's whole journey in a real browser (issue 3, first "Done when" bullet).

A new user registers, confirms the e-mail address with the link from the verification mail, logs
in, starts an expression of interest for the open call from "Mein Bereich", fills every step of
the form (one further municipality, two partners, three verifiable tasks, a budget in German
amounts), submits it, sees it read-only, and gets the receipt mail with the PDF of exactly what was
submitted. Every page on the way has 0 axe violations (WCAG 2.1 A/AA).

Only the open call and the reference data of places are set up directly; everything else goes
through the UI. The live server runs in another thread of this process: the test settings
(locmem mail backend, immediate task backend) hold there too, so the outbox delivers each mail
into ``django.core.mail.outbox`` as soon as the request that queued it commits.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from oglabs.accounts.models import User
from oglabs.mail.models import OutboxMail, OutboxStatus
from oglabs.mail.services import send_due_mail
from oglabs.places.reference import read_reference
from oglabs.places.services import load_reference_data
from oglabs.proposals.models import BudgetLine, Proposal, ProposalVersion
from tests.e2e.axe import assert_no_axe_violations
from tests.factories.proposals import CallFactory
from tests.portal.conftest import reopen

pytestmark = pytest.mark.browser

EMAIL = "anna.schmidt@falkensee.example"
PASSWORD = "Havelland-Labor-2019!"
TITLE = "Offenes Havelland"
PARTNERS = ("Bürgerverein Havelland e. V.", "Fachhochschule Potsdam")
TASKS = (
    ("Bürgerhaushalt", "Eingereichte Vorschläge", "50", "2020-09-30", "Protokoll der Ideenbörse"),
    ("Offene Daten", "Veröffentlichte Datensätze", "20", "2021-06-30", "Zählung im Datenportal"),
    ("Labortage", "Durchgeführte Labortage", "6", "2022-11-30", "Teilnahmelisten"),
)
#: (label of the budget cell, German amount typed) -> 12.500,25 + 3.000 + 1.250,50 + 800 = 17.550,75
BUDGET = (
    ("Personal 2020 (EUR)", "12.500,25"),
    ("Veranstaltungen 2021 (EUR)", "3.000"),
    ("Honorare 2021 (EUR)", "1.250,50"),
    ("Reisekosten 2022 (EUR)", "800,00"),
)


@pytest.fixture
def reference_places(transactional_db: None) -> None:
    """The shipped reference data (all Länder, Kreise and Gemeinden, a few seconds to load),
    committed; the flush after this transactional test removes it again."""
    load_reference_data(read_reference())


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def click_and_wait(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def on_page(page: Page, path: str, *, axe: bool = True) -> None:
    """The browser is on ``path`` with exactly one h1, and axe finds nothing there.

    ``axe=False`` only where the same page in the same state was checked a moment ago.
    """
    assert path_of(page) == path, f"expected {path}, got {page.url}"
    expect(page.locator("h1")).to_have_count(1)
    if axe:
        assert_no_axe_violations(page)


def fact(page: Page, term: str) -> Locator:
    """The value (dd) beside the term (dt) ``term`` of a description list."""
    item = page.locator(".kern-description-list-item").filter(
        has=page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(term)}\s*$"))
    )
    return item.locator("dd")


def step_path(proposal: Proposal, step: str) -> str:
    return reverse("portal:proposal_edit_step", kwargs={"pk": proposal.pk, "step": step})


def pdf_text(content: bytes) -> str:
    """The PDF's text with all white space folded to single blanks (line breaks fall anywhere)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_new_applicant_registers_submits_and_gets_the_receipt(page: Page, reference_places: None) -> None:
    call = reopen(CallFactory.create())

    # --- 1 register, confirm the address from the mail, log in ---------------------------------
    page.goto(reverse("account_signup"))
    on_page(page, reverse("account_signup"))
    page.locator("input[name='email']").fill(EMAIL)
    page.locator("input[name='password1']").fill(PASSWORD)
    page.locator("input[name='password2']").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:has([name='password2']) button[type='submit']").click()
    on_page(page, reverse("account_email_verification_sent"))
    user = User.objects.get(email=EMAIL)
    assert (user.role, EmailAddress.objects.get(user=user).verified) == ("applicant", False)

    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    verification = mail.outbox[0]
    assert verification.to == [EMAIL]
    links = re.findall(r"https?://\S+/konto/confirm-email/\S+/", str(verification.body))
    assert len(links) == 1, verification.body
    confirm_path = urlsplit(links[0]).path
    page.goto(confirm_path)
    on_page(page, confirm_path)
    click_and_wait(page, "Bestätigen")
    assert EmailAddress.objects.get(user=user).verified is True
    # Confirming in the browser that signed up logs in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION); log
    # out and in again through the login form, as on any later day.
    on_page(page, reverse("portal:home"), axe=False)  # checked below, after the login
    click_and_wait(page, "Abmelden")
    with page.expect_navigation():
        page.get_by_role("link", name="Anmelden", exact=True).click()
    on_page(page, reverse("account_login"))
    page.locator("input[name='login']").fill(EMAIL)
    page.locator("input[name='password']").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:has([name='password']) button[type='submit']").click()

    # --- 2 start from "Mein Bereich": the lead municipality by name --------------------------
    on_page(page, reverse("portal:home"))
    expect(page.get_by_text("Sie haben noch keine Interessenbekundung begonnen.")).to_be_visible()
    with page.expect_navigation():
        # The call's title is only for screen readers; Chromium joins the name with a blank before ":".
        start_link = re.compile(rf"^Interessenbekundung beginnen ?: {re.escape(call.title)}$")
        page.get_by_role("link", name=start_link).click()
    on_page(page, reverse("portal:proposal_start", kwargs={"slug": call.slug}))
    page.get_by_label("Titel des Labors").fill(TITLE)
    page.get_by_label("Federführende Kommune suchen").fill("Falkensee")
    click_and_wait(page, "Suchen")
    on_page(page, reverse("portal:proposal_start", kwargs={"slug": call.slug}))
    page.get_by_label(re.compile("^Falkensee")).check()
    click_and_wait(page, "Interessenbekundung anlegen")
    proposal = Proposal.objects.get(call=call)
    expect(page.get_by_role("status").first).to_contain_text(
        f"Ihre Interessenbekundung {proposal.reference} ist angelegt."
    )

    # Allgemeines
    on_page(page, step_path(proposal, "allgemeines"))
    page.get_by_label("Region und Ausgangslage").fill(
        "Wachsende Stadt am Berliner Rand mit ländlichem Umland."
    )
    page.get_by_label("Strukturwandel").check()
    page.get_by_label("Digitalisierung").check()
    page.get_by_label("Ort und Netzwerk").check()
    page.get_by_label("Moderation, Interessenausgleich und Konfliktmanagement").fill(
        "Eine neutrale Moderation; Konflikte klärt der Lenkungskreis."
    )
    page.get_by_label("Eigenanteil (EUR)").fill("2.000,00")
    click_and_wait(page, "Speichern und weiter")

    # Kommunen: one further municipality
    on_page(page, step_path(proposal, "kommunen"))
    page.get_by_label("Name oder Gemeindeschlüssel").fill("Nauen")
    click_and_wait(page, "Suchen")
    on_page(page, step_path(proposal, "kommunen"))
    click_and_wait(page, "Nauen, Stadt hinzufügen")
    expect(page.get_by_role("button", name="Nauen, Stadt entfernen")).to_be_visible()
    on_page(page, step_path(proposal, "kommunen"))
    click_and_wait(page, "Weiter")

    # Partner: civil society and science
    on_page(page, step_path(proposal, "partner"))
    page.locator("select[name='partners-0-kind']").select_option("civil_society")
    page.locator("input[name='partners-0-name']").fill(PARTNERS[0])
    page.locator("textarea[name='partners-0-role_in_lab']").fill("Beteiligung der Bürgerinnen und Bürger")
    page.locator("input[name='partners-0-cooperation_exists']").check()
    click_and_wait(page, "Weiteren Partner hinzufügen")
    on_page(page, step_path(proposal, "partner"))
    page.locator("select[name='partners-1-kind']").select_option("science")
    page.locator("input[name='partners-1-name']").fill(PARTNERS[1])
    page.locator("textarea[name='partners-1-role_in_lab']").fill("Evaluation")
    click_and_wait(page, "Speichern und weiter")

    # Laboraufgaben: three, each due inside the funding period (2020-01-01 to 2022-12-31)
    on_page(page, step_path(proposal, "aufgaben"))
    for index, (title, indicator, target, due_on, checked_by) in enumerate(TASKS):
        if index:
            click_and_wait(page, "Weitere Laboraufgabe hinzufügen")
            on_page(page, step_path(proposal, "aufgaben"), axe=index == len(TASKS) - 1)
        page.locator(f"input[name='tasks-{index}-title']").fill(title)
        page.locator(f"input[name='tasks-{index}-indicator']").fill(indicator)
        page.locator(f"input[name='tasks-{index}-target_value']").fill(target)
        page.locator(f"input[name='tasks-{index}-due_on']").fill(due_on)
        page.locator(f"textarea[name='tasks-{index}-verification']").fill(checked_by)
    click_and_wait(page, "Speichern und weiter")

    # Mittelbedarf: German amounts
    on_page(page, step_path(proposal, "mittelbedarf"))
    for label, amount in BUDGET:
        page.get_by_label(label, exact=True).fill(amount)
    click_and_wait(page, "Speichern")
    expect(page.locator("#total-all")).to_have_text("17.550,75 €")
    on_page(page, step_path(proposal, "mittelbedarf"))
    click_and_wait(page, "Speichern und zur Übersicht")

    # Übersicht: nothing missing
    on_page(page, step_path(proposal, "uebersicht"))
    expect(page.get_by_role("heading", name="Alle Angaben sind vollständig.")).to_be_visible()
    expect(page.get_by_text("Noch fehlt:")).to_have_count(0)
    for term, value in (("Weitere Kommunen", "1"), ("Partner", "2"), ("Laboraufgaben", "3")):
        expect(fact(page, term)).to_have_text(value)
    expect(fact(page, "Beantragte Mittel")).to_have_text("17.550,75 €")
    with page.expect_navigation():
        page.get_by_role("link", name="Weiter zum Einreichen").click()

    # Submit
    submit_path = reverse("portal:proposal_submit", kwargs={"pk": proposal.pk})
    on_page(page, submit_path)
    expect(page.locator(".og-finding--unmet")).to_have_count(0)
    expect(page.locator(".og-finding--met").first).to_be_visible()
    click_and_wait(page, "Verbindlich einreichen")

    # --- 3 submitted: the message, read-only, the receipt mail with the PDF --------------------
    detail_path = reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    on_page(page, detail_path)
    proposal.refresh_from_db()
    assert proposal.state == "submitted"
    version = ProposalVersion.objects.get(proposal=proposal, kind="submitted")
    assert re.fullmatch(r"[0-9a-f]{64}", version.sha256)
    status = page.get_by_role("status").first
    expect(status).to_contain_text(f"Ihre Interessenbekundung {proposal.reference} ist eingegangen")
    expect(status).to_contain_text(f"SHA-256 {version.sha256}")
    expect(page.get_by_role("link", name="Bearbeiten")).to_have_count(0)
    expect(page.get_by_role("button", name="Bearbeiten")).to_have_count(0)
    expect(page.get_by_role("link", name="Prüfen und einreichen")).to_have_count(0)
    edit_paths = (reverse("portal:proposal_edit", kwargs={"pk": proposal.pk}), step_path(proposal, "partner"))
    for number, path in enumerate(edit_paths):
        page.goto(path)
        on_page(page, detail_path, axe=number == 0)
        expect(page.get_by_role("alert").first).to_contain_text(
            "Die Interessenbekundung ist im Status „eingereicht“ und kann nicht mehr geändert werden."
        )

    assert list(proposal.partners.order_by("position").values_list("kind", "name")) == [
        ("civil_society", PARTNERS[0]),
        ("science", PARTNERS[1]),
    ]
    assert proposal.tasks.count() == 3
    assert sum(BudgetLine.objects.filter(proposal=proposal).values_list("amount", flat=True)) == Decimal(
        "17550.75"
    )

    send_due_mail(now=timezone.now())  # a no-op if the immediate task backend sent it already
    receipt_row = OutboxMail.objects.get(kind="proposal:receipt")
    assert (receipt_row.to, receipt_row.status) == ([EMAIL], OutboxStatus.SENT)
    receipts = [message for message in mail.outbox if "Eingangsbestätigung" in message.subject]
    assert len(receipts) == 1, [message.subject for message in mail.outbox]
    receipt = receipts[0]
    assert receipt.to == [EMAIL]
    assert proposal.reference in receipt.body and version.sha256 in receipt.body
    assert len(receipt.attachments) == 1
    filename, content, mimetype = receipt.attachments[0]
    assert (filename, mimetype) == (f"Eingangsbestaetigung-{proposal.reference}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in (proposal.reference, TITLE, *PARTNERS, version.sha256):
        assert expected in text, f"{expected!r} not in the receipt PDF"
