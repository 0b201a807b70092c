"""Texts people entered (in German) are marked lang="de" on the English pages (WCAG 3.1.2); the
German pages carry no such mark. Amounts and dates follow the page's language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from oglabs.support import services as support_services
from tests.factories.accounts import StaffFactory
from tests.factories.calls import make_call

pytestmark = pytest.mark.django_db

#: The elements with a lang attribute on every page: <html> and the two buttons of the language switch.
ONLY_FRAME = ["html", "button", "button"]


def _marked(html: str) -> list[str]:
    return re.findall(r'<(\w+)\s[^>]*\blang="', html)


def _published_answer(call):  # type: ignore[no-untyped-def]
    now = timezone.now()
    staff = StaffFactory()
    question = support_services.ask_question(
        call, asker=None, name="Erika", email="erika@example.net", text="Wer darf?", source="public", now=now
    )
    support_services.answer_question(
        question,
        actor=staff,
        public_question="Dürfen Landkreise sich bewerben?",
        answer="Ja, auch Landkreise.",
        topic="Teilnahme",
        now=now,
    )
    support_services.publish_answer(question, actor=staff, now=now)


def test_call_page_in_english_marks_the_call_texts_as_german(client: Client) -> None:
    call = make_call()
    html = client.get(f"/en/aufrufe/{call.slug}/").content.decode()
    assert '<p class="kern-preline" lang="de">Bundesministerium des Innern' in html
    assert '<h1 class="kern-heading-x-large" lang="de">Regionale Open Government Labore</h1>' in html
    assert '<div class="og-prose__data" lang="de"><p>Interessenbekundungsverfahren</p></div>' in html
    assert re.search(r'<ul lang="de">\s*<li>Deutscher Städtetag</li>', html)
    assert "<h2>Key facts</h2>" in html  # the interface around it is English
    assert "€3,000,000" in html
    assert "1 Jan 2020" in html


def test_call_page_in_german_has_no_language_marks(client: Client) -> None:
    call = make_call()
    html = client.get(f"/aufrufe/{call.slug}/").content.decode()
    assert _marked(html) == ONLY_FRAME
    assert "3.000.000 €" in html
    assert "01.01.2020" in html


def test_home_in_english_marks_call_titles_as_german(client: Client) -> None:
    make_call()
    html = re.sub(r"\s+", " ", client.get("/en/").content.decode())
    assert (
        '<h3 class="kern-title" id="call-aufruf-2019" lang="de">Regionale Open Government Labore</h3>' in html
    )
    assert '<span lang="de">Regionale Open Government Labore</span>' in html


def test_faq_in_english_marks_question_answer_and_topic_as_german(client: Client) -> None:
    call = make_call()
    _published_answer(call)
    html = client.get(f"/en/aufrufe/{call.slug}/fragen/").content.decode()
    assert re.search(
        r'<h3 id="frage-\d+" class="og-break" lang="de">Dürfen Landkreise sich bewerben\?</h3>', html
    )
    assert '<div class="og-break" lang="de"><p>Ja, auch Landkreise.</p></div>' in html
    assert re.search(r'<h2 id="[\w-]+" lang="de">Teilnahme</h2>', html)
    german = client.get(f"/aufrufe/{call.slug}/fragen/").content.decode()
    assert _marked(german) == ONLY_FRAME
