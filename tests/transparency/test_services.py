"""Redaction with four eyes: preparing, adjusting, confirming, returning, publishing; what
``public_texts`` and ``publication_ready`` say at each step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from oglabs.audit.models import AuditEvent
from oglabs.selection.models import DecisionEntry
from oglabs.support.models import Registration, Workshop
from oglabs.transparency import queries, services
from oglabs.transparency.exceptions import (
    AlreadyPublished,
    InvalidMarks,
    NoteRequired,
    PublicationNotReady,
    SecondPersonRequired,
    TextNotAwaitingConfirmation,
    TextOutdated,
)
from oglabs.transparency.models import PublicationAllowList, PublicText, TextStatus
from oglabs.transparency.redaction import PLACEHOLDER, Mark, phrase_marks
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import DEADLINE
from tests.factories.transparency import decision_with_reasons

pytestmark = pytest.mark.django_db

NOW = DEADLINE + dt.timedelta(days=90)
REASON = "Überzeugend; Ansprechpartnerin Erika Muster (erika@example.de, 030 1234567)."


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def _snapshot(text: PublicText) -> tuple:
    text.refresh_from_db()
    return (
        text.status,
        text.marks,
        text.redacted,
        text.confirmed_by_id,
        text.confirmed_at,
        text.returned_note,
    )


@pytest.fixture
def people():
    return StaffFactory(), StaffFactory()


def test_prepare_publication_marks_names_the_system_holds_and_patterns(people):
    first, _ = people
    UserFactory(first_name="Erika", last_name="Muster")
    decision = decision_with_reasons([REASON, "Kein Bezug zu Personen."])
    texts = services.prepare_publication(decision, actor=first, now=NOW)
    assert [t.status for t in texts] == [TextStatus.MARKED, TextStatus.MARKED]
    assert (
        texts[0].redacted == f"Überzeugend; Ansprechpartnerin {PLACEHOLDER} ({PLACEHOLDER}, {PLACEHOLDER})."
    )
    assert [m["kind"] for m in texts[0].auto_marks] == ["name", "email", "phone"]
    assert texts[0].marks == texts[0].auto_marks
    assert texts[1].redacted == "Kein Bezug zu Personen."
    assert texts[0].prepared_by == first and texts[0].marked_by is None
    [event] = _events("transparency.publication_prepared")
    assert event.data == {
        "call": decision.call.slug,
        "field": "reason",
        "created": 2,
        "refreshed": 0,
        "redetected": 0,
        "extended": 0,
        "unchanged": 0,
        "removed": 0,
    }
    assert "Erika" not in str(event.data)


def test_prepare_publication_uses_attendee_names_and_the_allow_list(people):
    first, _ = people
    decision = decision_with_reasons(["Mit Jonas Beispielmann und Landrat Kai Offiziell vor Ort."])
    registration_proposal = DecisionEntry.objects.get(decision=decision).proposal
    workshop = Workshop.objects.create(
        call=decision.call,
        title="Auftakt",
        starts_at=NOW,
        ends_at=NOW,
        place="Rathaus",
        capacity=10,
        created_at=NOW,
        updated_at=NOW,
    )
    Registration.objects.create(
        workshop=workshop,
        proposal=registration_proposal,
        attendee_name="Jonas Beispielmann",
        status="registered",
        registered_at=NOW,
        registered_by=first,
    )
    UserFactory(first_name="Kai", last_name="Offiziell")
    PublicationAllowList.objects.create(
        call=decision.call, entries="Landrat Kai Offiziell\n", updated_at=NOW, updated_by=first
    )
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    assert text.redacted == f"Mit {PLACEHOLDER} und Landrat Kai Offiziell vor Ort."


def test_public_texts_are_empty_until_a_second_person_confirms(people):
    first, second = people
    decision = decision_with_reasons([REASON])
    assert queries.public_texts(decision) == {}
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    assert queries.public_texts(decision) == {}
    services.confirm_text(text, actor=second, now=NOW)
    assert queries.public_texts(decision) == {text.proposal_id: text.redacted}
    assert REASON not in queries.public_texts(decision).values()


def test_confirm_text_by_the_person_who_prepared_is_refused_and_changes_nothing(people):
    first, _ = people
    decision = decision_with_reasons([REASON])
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    before = _snapshot(text)
    events = AuditEvent.objects.count()
    with pytest.raises(SecondPersonRequired):
        services.confirm_text(text, actor=first, now=NOW)
    assert _snapshot(text) == before
    assert AuditEvent.objects.count() == events
    assert queries.public_texts(decision) == {}


def test_confirm_text_by_the_person_who_adjusted_is_refused_and_changes_nothing(people):
    first, second = people
    decision = decision_with_reasons([REASON])
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    marks = [*services.marks_of(text), *phrase_marks(text.original, "Überzeugend")]
    text = services.adjust_marks(text, marks=marks, actor=second, now=NOW)
    before = _snapshot(text)
    for person in (first, second):
        with pytest.raises(SecondPersonRequired):
            services.confirm_text(text, actor=person, now=NOW)
        with pytest.raises(SecondPersonRequired):
            services.return_text(text, note="Bitte prüfen", actor=person, now=NOW)
    assert _snapshot(text) == before
    third = StaffFactory()
    confirmed = services.confirm_text(text, actor=third, now=NOW)
    assert confirmed.redacted.startswith(f"{PLACEHOLDER}; Ansprechpartnerin")
    assert confirmed.confirmed_by == third


def test_adjust_marks_keeps_some_adds_a_phrase_and_records_positions_only(people):
    first, second = people
    decision = decision_with_reasons(["Kontakt a@b.de, Verein Lichtblick e.V., Tel. 030 1234567"])
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    email, phone = services.marks_of(text)
    adjusted = services.adjust_marks(
        text, marks=[email, *phrase_marks(text.original, "Lichtblick")], actor=second, now=NOW
    )
    assert adjusted.redacted == f"Kontakt {PLACEHOLDER}, Verein {PLACEHOLDER} e.V., Tel. 030 1234567"
    assert adjusted.marked_by == second and adjusted.status == TextStatus.MARKED
    assert adjusted.auto_marks == [email.as_dict(), phone.as_dict()]
    [event] = _events("transparency.marks_adjusted")
    assert event.data == {
        "proposal": text.proposal_id,
        "from_status": "marked",
        "before": [[8, 14, "email"], [45, 56, "phone"]],
        "after": [[8, 14, "email"], [23, 33, "manual"]],
    }


def test_adjust_marks_refuses_marks_that_do_not_fit_and_changes_nothing(people):
    first, second = people
    decision = decision_with_reasons([REASON])
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    before = _snapshot(text)
    for bad in ([Mark(0, 4, "manual", "Nope")], [Mark(0, 9999, "manual", "x")]):
        with pytest.raises(InvalidMarks):
            services.adjust_marks(text, marks=bad, actor=second, now=NOW)
    assert _snapshot(text) == before
    assert _events("transparency.marks_adjusted") == []


def test_adjust_marks_after_confirmation_takes_the_text_off_the_public_until_confirmed_again(people):
    first, second = people
    decision = decision_with_reasons([REASON])
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    services.confirm_text(text, actor=second, now=NOW)
    services.adjust_marks(text, marks=services.marks_of(text)[:1], actor=first, now=NOW)
    text.refresh_from_db()
    assert (text.status, text.confirmed_by, text.confirmed_at) == (TextStatus.MARKED, None, None)
    assert queries.public_texts(decision) == {}


def test_return_text_needs_a_note_and_then_needs_new_marks(people):
    first, second = people
    decision = decision_with_reasons([REASON])
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    with pytest.raises(NoteRequired):
        services.return_text(text, note="  ", actor=second, now=NOW)
    returned = services.return_text(text, note="„Überzeugend“ bitte auch schwärzen", actor=second, now=NOW)
    assert (returned.status, returned.returned_note) == (
        TextStatus.RETURNED,
        "„Überzeugend“ bitte auch schwärzen",
    )
    [event] = _events("transparency.text_returned")
    assert event.data == {"proposal": text.proposal_id}
    before = _snapshot(text)
    with pytest.raises(TextNotAwaitingConfirmation):
        services.confirm_text(text, actor=second, now=NOW)
    assert _snapshot(text) == before
    assert queries.publication_ready(decision) == (
        False,
        ["1 Begründung wurde zur Überarbeitung der Schwärzungen zurückgegeben."],
    )


def test_publish_decision_is_refused_until_every_text_is_confirmed(people):
    first, second = people
    decision = decision_with_reasons([REASON, "Zweite.", "Dritte."])
    with pytest.raises(PublicationNotReady) as refused:
        services.publish_decision(decision, actor=first, now=NOW)
    assert refused.value.missing == ["3 Begründungen sind noch nicht zur Schwärzung vorbereitet."]
    texts = services.prepare_publication(decision, actor=first, now=NOW)
    services.confirm_text(texts[0], actor=second, now=NOW)
    assert queries.publication_ready(decision) == (
        False,
        ["2 Begründungen warten auf die Bestätigung der Schwärzungen durch eine zweite Person."],
    )
    with pytest.raises(PublicationNotReady):
        services.publish_decision(decision, actor=first, now=NOW)
    decision.refresh_from_db()
    assert decision.published_at is None
    assert _events("transparency.decision_published") == []
    for text in texts[1:]:
        services.confirm_text(text, actor=second, now=NOW)
    assert queries.publication_ready(decision) == (True, [])
    published = services.publish_decision(decision, actor=first, now=NOW)
    assert published.published_at == NOW
    assert queries.is_published(decision.call)
    [event] = _events("transparency.decision_published")
    assert event.data == {"call": decision.call.slug, "texts": 3}
    with pytest.raises(AlreadyPublished):
        services.publish_decision(decision, actor=first, now=NOW)
    with pytest.raises(AlreadyPublished):
        services.prepare_publication(decision, actor=first, now=NOW)


def test_a_reason_changed_after_confirmation_is_never_returned_and_blocks_publication(people):
    first, second = people
    decision = decision_with_reasons([REASON])
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    services.confirm_text(text, actor=second, now=NOW)
    DecisionEntry.objects.filter(decision=decision).update(reason="Neu: Herr Kurt Beispiel lobt.")
    assert queries.public_texts(decision) == {}
    assert queries.publication_ready(decision) == (
        False,
        ["1 Begründung wurde nach der Vorbereitung geändert und muss neu vorbereitet werden."],
    )
    with pytest.raises(TextOutdated):
        services.adjust_marks(text, marks=[], actor=first, now=NOW)
    [refreshed] = services.prepare_publication(decision, actor=first, now=NOW)
    assert (refreshed.status, refreshed.redacted) == (TextStatus.MARKED, f"Neu: {PLACEHOLDER} lobt.")
    assert refreshed.confirmed_by is None


def test_prepare_again_keeps_confirmed_texts_redetects_untouched_and_extends_marked_ones(people):
    first, second = people
    decision = decision_with_reasons(
        ["Mit Grete Neuname.", "Auch Grete Neuname.", "Dazu Grete Neuname, 030 1234567."]
    )
    confirmed, _untouched, marked = services.prepare_publication(decision, actor=first, now=NOW)
    services.confirm_text(confirmed, actor=second, now=NOW)
    services.adjust_marks(marked, marks=[], actor=second, now=NOW)
    UserFactory(first_name="Grete", last_name="Neuname")
    PublicationAllowList.objects.create(call=decision.call, entries="Auch", updated_at=NOW, updated_by=first)
    again = services.prepare_publication(decision, actor=first, now=NOW)
    assert [(t.status, t.redacted) for t in again] == [
        (TextStatus.CONFIRMED, "Mit Grete Neuname."),
        (TextStatus.MARKED, f"Auch {PLACEHOLDER}."),
        # The phone number staff unmarked stays unmarked; only the new name is added.
        (TextStatus.MARKED, f"Dazu {PLACEHOLDER}, 030 1234567."),
    ]
    data = _events("transparency.publication_prepared")[-1].data
    assert (data["unchanged"], data["redetected"], data["extended"]) == (1, 1, 1)


def test_public_text_four_eyes_holds_in_the_database(people):
    first, _ = people
    decision = decision_with_reasons([REASON])
    [text] = services.prepare_publication(decision, actor=first, now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        PublicText.objects.filter(pk=text.pk).update(status="confirmed", confirmed_by=first, confirmed_at=NOW)


def test_public_texts_of_some_proposals_reads_only_those(people):
    first, second = people
    decision = decision_with_reasons(["Erste Begründung.", "Zweite Begründung."])
    texts = services.prepare_publication(decision, actor=first, now=NOW)
    for text in texts:
        services.confirm_text(text, actor=second, now=NOW)
    one, two = sorted(text.proposal_id for text in texts)
    assert set(queries.public_texts(decision)) == {one, two}
    assert queries.public_texts(decision, [two]) == {two: queries.public_texts(decision)[two]}
    assert queries.public_texts(decision, []) == {}
