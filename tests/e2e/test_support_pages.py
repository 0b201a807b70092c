"""Questions and workshops in a real browser: the public FAQ and question form (also with errors
and the anonymity of the FAQ), the portal question form and workshop page (registering an
attendee), and the back-office questions list, answer form, workshop list and workshop detail
with registrations — one h1 and 0 axe violations (WCAG 2.1 A/AA) on each."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from oglabs.calls.models import Call
from oglabs.proposals.models import Proposal
from oglabs.support import services
from oglabs.support.models import Question, QuestionState, Registration, Workshop, WorkshopInvitation
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import LoginHelper
from tests.factories.accounts import StaffFactory
from tests.factories.proposals import CallFactory
from tests.support.conftest import consortium, workshop_data

pytestmark = pytest.mark.browser

#: Elements that stick out of the viewport, not counting the scrollable table regions.
OUTSIDE_SCROLL_REGIONS = """() => { const w = document.documentElement.clientWidth; const out = [];
 for (const el of document.querySelectorAll('body *')) { const r = el.getBoundingClientRect();
   if (r.right > w + 1 && !el.closest('.og-table-scroll')) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right)); }
 return out.slice(0, 8); }"""
SCREENSHOTS = os.environ.get("OGLABS_E2E_SCREENSHOTS", "")
ASKER_NAME = "Zyxwname Quorrington"
ASKER_EMAIL = "zyxw.quorrington@marker.example"


def _looks_right(page: Page, name: str) -> None:
    """One h1, no axe violations; with OGLABS_E2E_SCREENSHOTS a screenshot at desktop and phone width."""
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)
    if SCREENSHOTS:
        for width, height in ((1280, 900), (375, 812)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(Path(SCREENSHOTS) / f"support-{name}-{width}.png"), full_page=True)
            if width == 375:
                assert page.evaluate(OUTSIDE_SCROLL_REGIONS) == [], f"{name}: wider than the screen"
        page.set_viewport_size({"width": 1280, "height": 900})


def _open(page: Page, path: str, name: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path}: HTTP {response.status}"
    _looks_right(page, name)


def _published_question(call: Call, staff: object) -> Question:
    now = timezone.now()
    question = services.ask_question(
        call,
        asker=None,
        name=ASKER_NAME,
        email=ASKER_EMAIL,
        text=f"Ich bin {ASKER_NAME} aus Falkensee: darf unser Landkreis federführend sein?",
        source="public",
        now=now - dt.timedelta(days=4),
    )
    services.answer_question(
        question,
        actor=staff,  # type: ignore[arg-type]  # a User from the factory
        public_question="Dürfen Landkreise federführend sein?",
        answer="Ja. Antragsberechtigt sind Städte, Gemeinden und Landkreise.\n\nEin Verbund ist möglich.",
        topic="Antragsberechtigung",
        now=now,
    )
    return services.publish_answer(question, actor=staff, now=now)  # type: ignore[arg-type]  # as above


def _workshop(call: Call, staff: object) -> Workshop:
    starts = timezone.now() + dt.timedelta(days=14)
    return services.create_workshop(
        call,
        actor=staff,  # type: ignore[arg-type]  # a User from the factory
        data=workshop_data(
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=7),
            capacity=2,
            online_url="https://konferenz.example.org/raum-1",
        ),
        now=timezone.now(),
    )


def test_public_faq_and_question_form(page: Page) -> None:
    call = CallFactory()
    _published_question(call, StaffFactory())
    _open(page, reverse("public:call_faq", kwargs={"slug": call.slug}), "faq")
    html = page.content()
    assert "Dürfen Landkreise federführend sein?" in html
    assert ASKER_NAME not in html and ASKER_EMAIL not in html and "Falkensee" not in html

    with page.expect_navigation():
        page.get_by_role("link", name="Eine Frage stellen").click()
    _looks_right(page, "ask")
    page.get_by_label("Ihre E-Mail-Adresse").fill("kaputt")
    with page.expect_navigation():
        page.get_by_role("button", name="Frage senden").click()
    expect(page.get_by_role("heading", name="Bitte prüfen Sie Ihre Angaben")).to_be_visible()
    _looks_right(page, "ask-errors")
    assert Question.objects.filter(state=QuestionState.OPEN).count() == 0

    page.get_by_label("Ihr Name").fill("Erika Mustermann")
    page.get_by_label("Ihre E-Mail-Adresse").fill("erika@example.net")
    page.get_by_label("Ihre Frage").fill("Gibt es eine Vorlage für die Absichtserklärung?")
    with page.expect_navigation():
        page.get_by_role("button", name="Frage senden").click()
    expect(page.get_by_text("Vielen Dank, Ihre Frage ist eingegangen.")).to_be_visible()
    assert Question.objects.filter(state=QuestionState.OPEN).count() == 1


def test_portal_question_form_and_workshop_registration(page: Page, logged_in_page: LoginHelper) -> None:
    call = CallFactory()
    staff = StaffFactory()
    proposal = consortium(call, "lead@falkensee.example", state="invited", title="Offenes Havelland")
    workshop = _workshop(call, staff)
    WorkshopInvitation.objects.create(
        workshop=workshop, proposal=proposal, invited_at=timezone.now(), invited_by=staff
    )
    logged_in_page(proposal.members.get().user)

    _open(page, reverse("portal:ask_question", kwargs={"slug": call.slug}), "portal-ask")
    page.get_by_label("Ihre Frage").fill("Wie detailliert muss der Mittelbedarf sein?")
    with page.expect_navigation():
        page.get_by_role("button", name="Frage senden").click()
    _looks_right(page, "portal-ask-sent")

    _open(page, reverse("portal:workshop", kwargs={"pk": workshop.pk}), "portal-workshop")
    for name in ("Anna Beispiel", "Ben Beispiel", "Cem Beispiel"):
        page.get_by_label("Name der Person, die teilnimmt").fill(name)
        with page.expect_navigation():
            page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_text("Warteliste, Platz 1")).to_be_visible()
    _looks_right(page, "portal-workshop-registered")
    assert Registration.objects.filter(status="registered").count() == 2

    _open(page, reverse("portal:workshops"), "portal-workshops")


def test_backoffice_questions_and_workshops(page: Page, logged_in_page: LoginHelper) -> None:
    call = CallFactory()
    staff = StaffFactory()
    _published_question(call, staff)
    open_question = services.ask_question(
        call,
        asker=None,
        name="Hans Brief",
        email="hans@example.net",
        text="Gilt die Frist auch für Nachreichungen?",
        source="mail",
        actor=staff,
        now=timezone.now() - dt.timedelta(days=3, hours=1),
    )
    first = consortium(call, "lead@falkensee.example", title="Offenes Havelland")
    second = consortium(call, "lead@nauen.example", title="Digitales Nauen")
    workshop = _workshop(call, staff)
    logged_in_page(staff)

    _open(page, reverse("backoffice:questions", kwargs={"slug": call.slug}), "bo-questions")
    expect(page.get_by_text("seit 3 Tagen")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name=f"Nr. {open_question.pk}: Gilt die Frist").first.click()
    _looks_right(page, "bo-answer")
    page.get_by_label("Antwort", exact=True).fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Antwort speichern").click()
    _looks_right(page, "bo-answer-errors")
    page.get_by_label("Thema").fill("Fristen")
    page.get_by_label("Frage, wie sie veröffentlicht wird").fill("Gilt die Frist auch für Nachreichungen?")
    page.get_by_label("Antwort", exact=True).fill("Ja, alle Unterlagen müssen bis zur Frist vorliegen.")
    with page.expect_navigation():
        page.get_by_role("button", name="Antwort speichern").click()
    _looks_right(page, "bo-answered")
    with page.expect_navigation():
        page.get_by_role("button", name="Antwort veröffentlichen und mailen").click()
    open_question.refresh_from_db()
    assert open_question.state == QuestionState.PUBLISHED

    _open(page, reverse("backoffice:question_from_mail", kwargs={"slug": call.slug}), "bo-from-mail")
    _open(page, reverse("backoffice:workshops", kwargs={"slug": call.slug}), "bo-workshops")
    _open(page, reverse("backoffice:workshop_create", kwargs={"slug": call.slug}), "bo-workshop-form")

    _open(
        page,
        reverse("backoffice:workshop_detail", kwargs={"slug": call.slug, "pk": workshop.pk}),
        "bo-workshop-empty",
    )
    with page.expect_navigation():
        page.get_by_role("link", name="2 förderfähige Konsortien einladen …").click()
    _looks_right(page, "bo-invite")
    with page.expect_navigation():
        page.get_by_role("button", name="2 Konsortien einladen").click()
    assert Proposal.objects.filter(state="invited").count() == 2
    now = timezone.now()
    for proposal, name in ((first, "Anna Beispiel"), (second, "Ben Beispiel"), (first, "Cem Beispiel")):
        services.register_attendee(
            workshop,
            proposal=proposal,
            actor=proposal.members.get().user,
            name=name,
            role="Bürgermeisterin",
            now=now,
        )
    _open(
        page,
        reverse("backoffice:workshop_detail", kwargs={"slug": call.slug, "pk": workshop.pk}),
        "bo-workshop",
    )
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^anwesend\W+Anna Beispiel$")).click()
    _looks_right(page, "bo-workshop-attendance")
    assert Registration.objects.get(attendee_name="Anna Beispiel").attended is True
