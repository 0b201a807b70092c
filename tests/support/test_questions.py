"""Questions: asked through portal, public form or by mail; answered; published to everyone."""

from __future__ import annotations

import datetime as dt

import pytest

from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.support import services
from oglabs.support.exceptions import InvalidInput, QuestionStateError
from oglabs.support.mails import ANSWER_PUBLISHED_KIND
from oglabs.support.models import Question, QuestionSource, QuestionState, Topic
from tests.factories.accounts import UserFactory
from tests.factories.proposals import NOW, CallFactory
from tests.support.conftest import consortium

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=3)


def _answered(call, staff, **overrides):  # type: ignore[no-untyped-def]
    question = services.ask_question(
        call,
        asker=None,
        name="Erika Mustermann",
        email="erika@example.net",
        text="Darf ein Verein führen?",
        source=QuestionSource.PUBLIC,
        now=NOW,
    )
    values = {
        "public_question": "Kann ein Verein federführend sein?",
        "answer": "Nein, nur Kommunen.",
        "topic": "Antragsberechtigung",
    }
    values.update(overrides)
    return services.answer_question(question, actor=staff, now=LATER, **values)


def test_ask_question_public_stores_personal_data_and_audits_without_it(call):
    question = services.ask_question(
        call,
        asker=None,
        name="  Erika   Mustermann ",
        email="erika@example.net",
        text=" Frage? ",
        source=QuestionSource.PUBLIC,
        now=NOW,
    )
    question.refresh_from_db()
    assert (question.asker_name, question.asker_email, question.text) == (
        "Erika Mustermann",
        "erika@example.net",
        "Frage?",
    )
    assert (question.state, question.source, question.asked_at) == (QuestionState.OPEN, "public", NOW)
    event = AuditEvent.objects.get(action="question.asked")
    assert event.data == {"call": call.slug, "source": "public"}
    assert event.actor_id is None


def test_ask_question_portal_belongs_to_the_account(call):
    user = UserFactory()
    question = services.ask_question(call, asker=user, text="Frage", source=QuestionSource.PORTAL, now=NOW)
    assert question.asker == user
    assert AuditEvent.objects.get(action="question.asked").actor_id == user.pk


def test_ask_question_by_mail_is_audited_as_the_staff_member(call, staff):
    services.ask_question(
        call, asker=None, actor=staff, text="Per Brief", source=QuestionSource.MAIL, now=NOW
    )
    assert AuditEvent.objects.get(action="question.asked").actor_id == staff.pk


def test_ask_question_public_without_name_or_email_is_refused(call):
    with pytest.raises(InvalidInput) as error:
        services.ask_question(call, asker=None, text="Frage", source=QuestionSource.PUBLIC, now=NOW)
    assert sorted(error.value.errors) == ["email", "name"]
    assert Question.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_ask_question_empty_text_is_refused(call):
    with pytest.raises(InvalidInput) as error:
        services.ask_question(call, asker=UserFactory(), text="   ", source=QuestionSource.PORTAL, now=NOW)
    assert error.value.errors == {"text": ["Bitte schreiben Sie Ihre Frage."]}


def test_answer_question_creates_topic_and_one_event(call, staff):
    question = _answered(call, staff)
    assert question.state == QuestionState.ANSWERED
    assert question.topic == Topic.objects.get(call=call, label="Antragsberechtigung")
    assert (question.answered_by, question.answered_at) == (staff, LATER)
    assert AuditEvent.objects.filter(action="question.answered").count() == 1


def test_answer_question_reuses_the_topic_by_label(call, staff):
    _answered(call, staff)
    _answered(call, staff, topic=" Antragsberechtigung ")
    assert Topic.objects.filter(call=call).count() == 1


def test_answer_question_without_topic_is_refused(call, staff):
    question = services.ask_question(
        call, asker=UserFactory(), text="F", source=QuestionSource.PORTAL, now=NOW
    )
    with pytest.raises(InvalidInput) as error:
        services.answer_question(question, actor=staff, public_question="F", answer="A", topic=" ", now=NOW)
    assert list(error.value.errors) == ["topic"]
    question.refresh_from_db()
    assert question.state == QuestionState.OPEN


def test_publish_answer_mails_every_registered_applicant_once(call, staff):
    consortium(call, "lead@a.example", "kollegin@a.example")
    consortium(call, "lead@b.example", "Kollegin@A.example", state="draft")  # same person, other case
    other_call = CallFactory()
    consortium(other_call, "fremd@c.example")
    question = _answered(call, staff)
    services.publish_answer(question, actor=staff, now=LATER)
    mails = OutboxMail.objects.filter(kind=ANSWER_PUBLISHED_KIND).order_by("pk")
    recipients = sorted(address for mail in mails for address in mail.to)
    assert recipients == ["erika@example.net", "kollegin@a.example", "lead@a.example", "lead@b.example"]
    assert all(len(mail.to) == 1 for mail in mails)
    mail = mails.first()
    assert mail is not None
    assert mail.subject == "Neue Antwort auf eine Rückfrage: Regionale Open Government Labore"
    assert "Kann ein Verein federführend sein?" in mail.body
    assert "Nein, nur Kommunen." in mail.body
    assert f"/aufrufe/{call.slug}/fragen/" in mail.body
    assert "Darf ein Verein führen?" not in mail.body  # the original wording is never sent out
    assert "Erika" not in mail.body


def test_publish_answer_sets_state_and_leaves_one_event(call, staff):
    consortium(call, "lead@a.example")
    question = _answered(call, staff)
    services.publish_answer(question, actor=staff, now=LATER)
    question.refresh_from_db()
    assert (question.state, question.published_at) == (QuestionState.PUBLISHED, LATER)
    event = AuditEvent.objects.get(action="question.published")
    assert event.data == {"call": call.slug, "recipients": 2}


def test_publish_answer_twice_is_refused_and_mails_once(call, staff):
    consortium(call, "lead@a.example")
    question = _answered(call, staff)
    services.publish_answer(question, actor=staff, now=LATER)
    with pytest.raises(QuestionStateError):
        services.publish_answer(question, actor=staff, now=LATER)
    assert OutboxMail.objects.filter(kind=ANSWER_PUBLISHED_KIND).count() == 2
    assert AuditEvent.objects.filter(action="question.published").count() == 1


def test_publish_answer_of_open_question_is_refused(call, staff):
    question = services.ask_question(
        call, asker=UserFactory(), text="F", source=QuestionSource.PORTAL, now=NOW
    )
    with pytest.raises(QuestionStateError):
        services.publish_answer(question, actor=staff, now=NOW)
    assert OutboxMail.objects.count() == 0


def test_answer_question_after_publication_is_refused(call, staff):
    question = _answered(call, staff)
    services.publish_answer(question, actor=staff, now=LATER)
    with pytest.raises(QuestionStateError):
        services.answer_question(question, actor=staff, public_question="X", answer="Y", topic="Z", now=LATER)
    question.refresh_from_db()
    assert question.answer == "Nein, nur Kommunen."


def test_reject_question_is_never_published(call, staff):
    question = services.ask_question(
        call, asker=UserFactory(), text="F", source=QuestionSource.PORTAL, now=NOW
    )
    services.reject_question(question, actor=staff, reason="doppelt zu Nr. 1", now=NOW)
    question.refresh_from_db()
    assert (question.state, question.rejected_reason) == (QuestionState.REJECTED, "doppelt zu Nr. 1")
    with pytest.raises(QuestionStateError):
        services.publish_answer(question, actor=staff, now=NOW)
