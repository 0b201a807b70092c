"""The section navigation of a call in the back office: every screen of a call marks exactly one
item — aria-current="page" on the screen the item links to, "true" on a page inside its section;
filter forms leave out the "optional" mark."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oglabs.calls.models import Call
from oglabs.support import services as support_services
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import CallFactory
from tests.factories.submitted import submitted_proposal
from tests.support.conftest import workshop_data

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="og-section-nav".*?</nav>', re.S)
CURRENT = re.compile(r'aria-current="(page|true)">([^<]+)</a>')


def _current(html: str) -> list[tuple[str, str]]:
    nav = NAV.search(html)
    assert nav is not None, "no section navigation"
    return [(label, value) for value, label in CURRENT.findall(nav.group(0))]


def _pages(call: Call) -> list[tuple[str, str, str]]:
    """(url, the item marked, its aria-current) for every screen of a call that has the navigation."""
    slug = call.slug
    proposal = submitted_proposal(call, UserFactory())
    now = timezone.now()
    question = support_services.ask_question(
        call, asker=None, name="Erika", email="erika@example.net", text="Wer darf?", source="public", now=now
    )
    workshop = support_services.create_workshop(call, actor=StaffFactory(), data=workshop_data(), now=now)
    return [
        (reverse("backoffice:call_dashboard", kwargs={"slug": slug}), "Übersicht", "page"),
        (reverse("backoffice:proposal_list", kwargs={"slug": slug}), "Interessenbekundungen", "page"),
        (reverse("backoffice:proposal_detail", kwargs={"pk": proposal.pk}), "Interessenbekundungen", "true"),
        (reverse("backoffice:eligibility_queue", kwargs={"slug": slug}), "Formale Prüfung", "page"),
        (reverse("backoffice:eligibility_check", kwargs={"pk": proposal.pk}), "Formale Prüfung", "true"),
        (reverse("backoffice:messages", kwargs={"slug": slug}), "Nachrichten", "page"),
        (reverse("backoffice:questions", kwargs={"slug": slug}), "Fragen und Antworten", "page"),
        (reverse("backoffice:question_from_mail", kwargs={"slug": slug}), "Fragen und Antworten", "true"),
        (
            reverse("backoffice:question_answer", kwargs={"slug": slug, "pk": question.pk}),
            "Fragen und Antworten",
            "true",
        ),
        (reverse("backoffice:workshops", kwargs={"slug": slug}), "Workshops", "page"),
        (reverse("backoffice:workshop_create", kwargs={"slug": slug}), "Workshops", "true"),
        (
            reverse("backoffice:workshop_detail", kwargs={"slug": slug, "pk": workshop.pk}),
            "Workshops",
            "true",
        ),
        (reverse("backoffice:workshop_edit", kwargs={"slug": slug, "pk": workshop.pk}), "Workshops", "true"),
        (reverse("backoffice:revision", kwargs={"slug": slug}), "Überarbeitung", "page"),
        (reverse("backoffice:proposal_diff", kwargs={"pk": proposal.pk}), "Überarbeitung", "true"),
    ]


def test_section_navigation_marks_exactly_one_item_on_every_screen_of_a_call(staff_client: Client) -> None:
    call = CallFactory()
    for url, label, value in _pages(call):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert _current(response.content.decode()) == [(label, value)], url


def test_section_navigation_lists_the_screens_in_the_order_of_the_procedure(staff_client: Client) -> None:
    call = CallFactory()
    response = staff_client.get(reverse("backoffice:call_dashboard", kwargs={"slug": call.slug}))
    nav = NAV.search(response.content.decode())
    assert nav is not None
    labels = re.findall(r'class="og-section-nav__link"\s+href="[^"]+"[^>]*>([^<]+)</a>', nav.group(0))
    assert labels == [
        "Übersicht",
        "Interessenbekundungen",
        "Formale Prüfung",
        "Nachrichten",
        "Fragen und Antworten",
        "Workshops",
        "Überarbeitung",
        "Jury",
        "Auswahl",
        "Veröffentlichung",
    ]


def test_back_office_home_has_no_section_navigation(staff_client: Client) -> None:
    response = staff_client.get(reverse("backoffice:home"))
    assert response.status_code == 200
    assert "og-section-nav" not in response.content.decode()


def test_filter_forms_do_not_mark_their_fields_optional(staff_client: Client) -> None:
    call = CallFactory()
    for name in ("proposal_list", "questions"):
        response = staff_client.get(reverse(f"backoffice:{name}", kwargs={"slug": call.slug}))
        html = response.content.decode()
        assert "og-filter" in html, name
        assert "kern-label__optional" not in html, name
