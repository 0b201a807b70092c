"""Public pages: the FAQ shows nothing that identifies who asked; the question form is
rate-limited per address, has a honeypot, and stores nothing when it refuses."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from oglabs.public.support_views import ASK_LIMIT
from oglabs.support import mails, services
from oglabs.support.models import Question, QuestionSource
from tests.factories.proposals import NOW

pytestmark = pytest.mark.django_db

NAME_MARKER = "Zyxwname Quorrington"
EMAIL_MARKER = "zyxw.quorrington@marker.example"
TEXT_MARKER = "Originalwortlaut-QX7"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Erika Mustermann",
        "email": "erika@example.net",
        "text": "Wer darf sich bewerben?",
        "website": "",
    }
    data.update(overrides)
    return data


def test_faq_page_contains_neither_name_nor_email_of_the_asker(client, call, staff):
    question = services.ask_question(
        call,
        asker=None,
        name=NAME_MARKER,
        email=EMAIL_MARKER,
        text=f"{TEXT_MARKER}: Ich, {NAME_MARKER}, frage …",
        source=QuestionSource.PUBLIC,
        now=NOW,
    )
    services.answer_question(
        question,
        actor=staff,
        public_question="Dürfen Landkreise federführend sein?",
        answer="Ja, Landkreise sind antragsberechtigt.",
        topic="Antragsberechtigung",
        now=NOW,
    )
    services.publish_answer(question, actor=staff, now=NOW)
    response = client.get(reverse("public:call_faq", kwargs={"slug": call.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dürfen Landkreise federführend sein?" in html
    assert "Ja, Landkreise sind antragsberechtigt." in html
    assert "Antragsberechtigung" in html
    for marker in (NAME_MARKER, "Quorrington", EMAIL_MARKER, "marker.example", TEXT_MARKER):
        assert marker not in html


def test_faq_page_hides_unpublished_answers(client, call, staff):
    question = services.ask_question(
        call, asker=None, name="A", email="a@example.net", text="F", source="public", now=NOW
    )
    services.answer_question(
        question, actor=staff, public_question="Unveröffentlicht?", answer="A", topic="T", now=NOW
    )
    html = client.get(reverse("public:call_faq", kwargs={"slug": call.slug})).content.decode()
    assert "Unveröffentlicht?" not in html
    assert "Bisher sind keine Antworten veröffentlicht." in html


def test_faq_of_unpublished_call_is_404(client, call):
    call.is_published = False
    call.save()
    assert client.get(reverse("public:call_faq", kwargs={"slug": call.slug})).status_code == 404


def test_faq_path_matches_the_mailed_link(call):
    assert reverse("public:call_faq", kwargs={"slug": call.slug}) == mails.FAQ_PATH.format(slug=call.slug)


def test_call_detail_links_to_the_faq(client, call):
    html = client.get(reverse("public:call_detail", kwargs={"slug": call.slug})).content.decode()
    assert f'href="{reverse("public:call_faq", kwargs={"slug": call.slug})}"' in html


def test_ask_question_stores_a_public_question(client, call):
    response = client.post(reverse("public:ask_question", kwargs={"slug": call.slug}), _form())
    assert response.status_code == 302
    assert response["Location"] == reverse("public:call_faq", kwargs={"slug": call.slug})
    question = Question.objects.get()
    assert (question.source, question.asker_name, question.asker_email, question.asker) == (
        "public",
        "Erika Mustermann",
        "erika@example.net",
        None,
    )


def test_ask_question_with_errors_shows_them_and_stores_nothing(client, call):
    response = client.post(
        reverse("public:ask_question", kwargs={"slug": call.slug}), _form(email="kaputt", text="")
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in html
    assert "Bitte schreiben Sie Ihre Frage." in html
    assert Question.objects.count() == 0


def test_ask_question_beyond_the_limit_is_refused_in_german_and_stores_nothing(client, call):
    url = reverse("public:ask_question", kwargs={"slug": call.slug})
    for n in range(ASK_LIMIT):
        assert client.post(url, _form(text=f"Frage {n}")).status_code == 302
    response = client.post(url, _form(text="Eine Frage zu viel"))
    assert response.status_code == 429
    assert "Sie haben in der letzten Stunde bereits mehrere Fragen gesendet." in response.content.decode()
    assert Question.objects.count() == ASK_LIMIT
    assert not Question.objects.filter(text="Eine Frage zu viel").exists()


def test_ask_question_limit_is_per_address(client, call):
    url = reverse("public:ask_question", kwargs={"slug": call.slug})
    for n in range(ASK_LIMIT):
        client.post(url, _form(text=f"Frage {n}"), REMOTE_ADDR="192.0.2.1")
    assert client.post(url, _form(text="andere Adresse"), REMOTE_ADDR="192.0.2.2").status_code == 302


def test_ask_question_honeypot_stores_nothing(client, call):
    response = client.post(
        reverse("public:ask_question", kwargs={"slug": call.slug}), _form(website="http://spam")
    )
    assert response.status_code == 302
    assert Question.objects.count() == 0


def test_ask_question_requires_csrf_token(call):
    response = Client(enforce_csrf_checks=True).post(
        reverse("public:ask_question", kwargs={"slug": call.slug}), _form()
    )
    assert response.status_code == 403
    assert Question.objects.count() == 0
