"""Reads: the public FAQ (published only, grouped, deterministic, anonymous), open questions
with their age, a consortium's view of a workshop (its own registrations only)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from oglabs.accounts.models import User
from oglabs.support import queries, services
from oglabs.support.exceptions import MaterialNotFound, WorkshopNotFound
from oglabs.support.models import QuestionSource, WorkshopInvitation, WorkshopMaterial
from tests.factories.accounts import UserFactory
from tests.factories.proposals import NOW
from tests.support.conftest import consortium

pytestmark = pytest.mark.django_db


def _question(call, staff, *, text, topic=None, publish_at=None, asked_at=NOW):  # type: ignore[no-untyped-def]
    question = services.ask_question(
        call,
        asker=None,
        name="Max Muster",
        email="max@example.net",
        text=text,
        source=QuestionSource.PUBLIC,
        now=asked_at,
    )
    if topic is not None:
        question = services.answer_question(
            question,
            actor=staff,
            public_question=f"Öffentlich: {text}",
            answer=f"Antwort: {text}",
            topic=topic,
            now=NOW,
        )
    if publish_at is not None:
        question = services.publish_answer(question, actor=staff, now=publish_at)
    return question


def test_public_faq_groups_published_answers_by_topic_in_order(call, staff):
    _question(call, staff, text="B2", topic="Kosten", publish_at=NOW + dt.timedelta(days=2))
    _question(call, staff, text="B1", topic="Kosten", publish_at=NOW + dt.timedelta(days=1))
    _question(call, staff, text="A1", topic="Antragsberechtigung", publish_at=NOW + dt.timedelta(days=3))
    _question(call, staff, text="nur beantwortet", topic="Kosten")
    _question(call, staff, text="offen")
    faq = queries.public_faq(call)
    assert [(topic.label, [entry.question for entry in topic.entries]) for topic in faq] == [
        ("Antragsberechtigung", ["Öffentlich: A1"]),
        ("Kosten", ["Öffentlich: B1", "Öffentlich: B2"]),
    ]


def test_public_faq_entries_carry_no_personal_data(call, staff):
    _question(call, staff, text="X", topic="Kosten", publish_at=NOW)
    entry = queries.public_faq(call)[0].entries[0]
    assert {f.name for f in dataclasses.fields(entry)} == {"pk", "question", "answer", "published_at"}


def test_open_questions_oldest_first_with_age(call, staff):
    newer = _question(call, staff, text="neu", asked_at=NOW - dt.timedelta(days=1))
    older = _question(call, staff, text="alt", asked_at=NOW - dt.timedelta(days=3, hours=2))
    _question(call, staff, text="beantwortet", topic="Kosten")
    rows = queries.open_questions(call, now=NOW)
    assert [(row.question.pk, row.age_days) for row in rows] == [(older.pk, 3), (newer.pk, 1)]


def test_answer_recipients_are_unique_and_skip_inactive_accounts(call, staff):
    consortium(call, "a@example.org", "b@example.org")
    inactive = consortium(call, "weg@example.org")
    User.objects.filter(pk=inactive.members.get().user_id).update(is_active=False)
    question = _question(call, staff, text="X")
    assert queries.answer_recipients(question) == ["a@example.org", "b@example.org", "max@example.net"]


def test_workshop_for_member_shows_only_own_registrations(call, workshop, staff):
    mine = consortium(call, "me@example.org")
    theirs = consortium(call, "them@example.org")
    for proposal in (mine, theirs):
        WorkshopInvitation.objects.create(
            workshop=workshop, proposal=proposal, invited_at=NOW, invited_by=staff
        )
    services.register_attendee(workshop, proposal=mine, actor=staff, name="Meine Person", now=NOW)
    services.register_attendee(workshop, proposal=theirs, actor=staff, name="Fremde Person", now=NOW)
    view = queries.workshop_for_member(mine.members.get().user, workshop.pk)
    assert [registration.attendee_name for registration in view.registrations] == ["Meine Person"]
    assert view.places_left == 0


def test_workshop_for_member_of_uninvited_consortium_is_not_found(call, workshop):
    proposal = consortium(call, "me@example.org")
    with pytest.raises(WorkshopNotFound):
        queries.workshop_for_member(proposal.members.get().user, workshop.pk)
    with pytest.raises(WorkshopNotFound):
        queries.workshop_for_member(UserFactory(), workshop.pk)


def test_material_for_member_requires_an_invitation(call, workshop, staff):
    material = WorkshopMaterial.objects.create(
        workshop=workshop,
        title="F",
        file="attachments/x.pdf",
        original_name="x.pdf",
        size=1,
        sha256="0" * 64,
        uploaded_at=NOW,
        uploaded_by=staff,
    )
    outsider = consortium(call, "out@example.org")
    with pytest.raises(MaterialNotFound):
        queries.material_for_member(outsider.members.get().user, material.pk)
    WorkshopInvitation.objects.create(workshop=workshop, proposal=outsider, invited_at=NOW, invited_by=staff)
    assert queries.material_for_member(outsider.members.get().user, material.pk) == material


def test_workshops_of_counts_each_registration_once(call, workshop, staff):
    proposals = [consortium(call, f"lead{n}@example.org") for n in range(3)]
    for proposal in proposals:
        WorkshopInvitation.objects.create(
            workshop=workshop, proposal=proposal, invited_at=NOW, invited_by=staff
        )
    for proposal in proposals:
        services.register_attendee(workshop, proposal=proposal, actor=staff, name="Person", now=NOW)
    row = queries.workshop_for_staff(call, workshop.pk)
    assert (row.registered_count, row.waitlisted_count, row.invited_count) == (2, 1, 3)
