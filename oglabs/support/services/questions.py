"""Questions (Rückfragen): asked, answered, published to everyone, or set aside."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.support import mails, queries
from oglabs.support.exceptions import InvalidInput, QuestionStateError
from oglabs.support.models import Question, QuestionSource, QuestionState, Topic

MAX_QUESTION_CHARS = 5000
MAX_ANSWER_CHARS = 20000


def ask_question(
    call: Call,
    *,
    asker: User | None,
    name: str = "",
    email: str = "",
    text: str,
    source: str,
    now: datetime,
    actor: User | None = None,
) -> Question:
    """Record a question. ``asker`` is the signed-in applicant (portal); ``name`` and ``email``
    are given on the public form or typed in by staff for a question that came by mail
    (``actor`` is then the staff member). The personal data is never published or audited."""
    text, name, email = text.strip(), " ".join(name.split()), email.strip()
    errors: dict[str, list[str]] = {}
    if source not in QuestionSource.values:
        errors["source"] = ["Bitte wählen Sie, wie die Frage eingegangen ist."]
    if not text:
        errors["text"] = ["Bitte schreiben Sie Ihre Frage."]
    elif len(text) > MAX_QUESTION_CHARS:
        errors["text"] = [f"Die Frage darf höchstens {MAX_QUESTION_CHARS} Zeichen lang sein."]
    if source == QuestionSource.PORTAL and asker is None:
        errors["asker"] = ["Im Portal gestellte Fragen gehören zu einem Konto."]
    if source == QuestionSource.PUBLIC and not name:
        errors["name"] = ["Bitte geben Sie Ihren Namen an."]
    if source == QuestionSource.PUBLIC and not email:
        errors["email"] = ["Bitte geben Sie Ihre E-Mail-Adresse an, damit wir antworten können."]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["Bitte geben Sie eine gültige E-Mail-Adresse an."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        question = Question.objects.create(
            call=call,
            text=text,
            source=source,
            asked_at=now,
            asker=asker,
            asker_name=name,
            asker_email=email,
        )
        record_event(
            actor=actor if actor is not None else asker,
            action="question.asked",
            target=question,
            data={"call": call.slug, "source": source},
            now=now,
        )
    return question


def _topic(call: Call, label: str, now: datetime) -> Topic | None:
    label = " ".join(label.split())
    if not label:
        return None
    topic, _created = Topic.objects.get_or_create(call=call, label=label, defaults={"created_at": now})
    return topic


def answer_question(
    question: Question, *, actor: User, public_question: str, answer: str, topic: str, now: datetime
) -> Question:
    """Write (or rewrite) the anonymised question and its answer; ``topic`` is a topic's label,
    created for the call if new. A published answer is not changed any more."""
    public_question, answer = public_question.strip(), answer.strip()
    errors: dict[str, list[str]] = {}
    if not public_question:
        errors["public_question"] = ["Bitte formulieren Sie die Frage so, wie sie veröffentlicht wird."]
    if not answer:
        errors["answer"] = ["Bitte schreiben Sie eine Antwort."]
    elif len(answer) > MAX_ANSWER_CHARS:
        errors["answer"] = [f"Die Antwort darf höchstens {MAX_ANSWER_CHARS} Zeichen lang sein."]
    if not " ".join(topic.split()):
        errors["topic"] = ["Bitte ordnen Sie die Frage einem Thema zu."]
    elif len(" ".join(topic.split())) > 120:
        errors["topic"] = ["Das Thema darf höchstens 120 Zeichen lang sein."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.state not in (QuestionState.OPEN, QuestionState.ANSWERED):
            raise QuestionStateError(
                "Diese Rückfrage ist bereits veröffentlicht oder abgelehnt und kann nicht mehr beantwortet werden."
            )
        previous = locked.state
        locked.topic = _topic(locked.call, topic, now)
        locked.public_question = public_question
        locked.answer = answer
        locked.answered_by = actor
        locked.answered_at = now
        locked.state = QuestionState.ANSWERED
        locked.save()
        record_event(
            actor=actor,
            action="question.answered",
            target=locked,
            data={"from": previous, "topic": locked.topic.label if locked.topic else ""},
            now=now,
        )
    return locked


def publish_answer(question: Question, *, actor: User, now: datetime) -> Question:
    """Publish the answer in the call's FAQ and mail it, once, to every registered applicant of
    the call (members of any of its proposals) and to the person who asked by mail or form."""
    with transaction.atomic():
        locked = (
            Question.objects.select_for_update(of=("self",))
            .select_related("call", "topic")
            .get(pk=question.pk)
        )
        if locked.state != QuestionState.ANSWERED:
            raise QuestionStateError(
                "Nur eine beantwortete, noch nicht veröffentlichte Rückfrage kann veröffentlicht werden."
            )
        locked.state = QuestionState.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["state", "published_at"])
        recipients = queries.answer_recipients(locked)
        mails.queue_answer_mails(locked, recipients=recipients, now=now)
        record_event(
            actor=actor,
            action="question.published",
            target=locked,
            data={"call": locked.call.slug, "recipients": len(recipients)},
            now=now,
        )
    return locked


def reject_question(question: Question, *, actor: User, reason: str, now: datetime) -> Question:
    """Set an open or answered question aside (a duplicate, or not about the call); it is never published."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": ["Bitte geben Sie einen Grund an (z. B. „doppelt zu Frage 12“)."]})
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.state not in (QuestionState.OPEN, QuestionState.ANSWERED):
            raise QuestionStateError("Diese Rückfrage ist bereits veröffentlicht oder abgelehnt.")
        previous = locked.state
        locked.state = QuestionState.REJECTED
        locked.rejected_reason = reason
        locked.save(update_fields=["state", "rejected_reason"])
        record_event(
            actor=actor,
            action="question.rejected",
            target=locked,
            data={"from": previous, "reason": reason},
            now=now,
        )
    return locked
