"""Messages to the consortia of a call: filter by state, the count shown is what is sent, one
outbox mail per consortium, every mail in the proposal's history, refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.proposals import queries, services
from oglabs.proposals.exceptions import InvalidContent
from oglabs.proposals.models import ConsortiumMember, Proposal, ProposalMail, ProposalMailKind
from oglabs.proposals.states import ProposalState
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import BERLIN, CallFactory
from tests.factories.submitted import draft_meeting_every_rule, submitted_proposal

pytestmark = pytest.mark.django_db

SENT_AT = dt.datetime(2019, 11, 8, 14, 0, tzinfo=BERLIN)
SUBJECT = "Einladung zum Workshop"
BODY = "Sehr geehrte Damen und Herren,\n\nwir laden Sie ein.\n\nIhr Programmteam"


def _message_mails() -> list[OutboxMail]:
    return list(OutboxMail.objects.filter(kind=ProposalMailKind.MESSAGE).order_by("pk"))


@pytest.fixture
def call_with_consortia():  # type: ignore[no-untyped-def]
    """One call: two submitted consortia (one with two members), one eligible, one draft."""
    call = CallFactory()
    first = submitted_proposal(call, UserFactory(email="a@falkensee.example"), name="Falkensee")
    ConsortiumMember.objects.create(
        proposal=first, user=UserFactory(email="b@falkensee.example"), joined_at=SENT_AT
    )
    second = submitted_proposal(call, UserFactory(email="c@nauen.example"), name="Nauen")
    third = submitted_proposal(call, UserFactory(email="d@rathenow.example"), name="Rathenow")
    Proposal.objects.filter(pk=third.pk).update(state=ProposalState.ELIGIBLE)
    draft = draft_meeting_every_rule(call, UserFactory(email="e@premnitz.example"), name="Premnitz")
    other_call = CallFactory()
    submitted_proposal(other_call, UserFactory(email="x@elsewhere.example"), name="Anderswo")
    return call, {"first": first, "second": second, "third": third, "draft": draft}


def test_message_audience_counts_consortia_and_recipient_addresses(call_with_consortia):
    call, _ = call_with_consortia
    assert services.message_audience(call, states=["submitted"]) == services.MessageAudience(
        consortia=2, recipients=3
    )
    assert services.message_audience(call, states=["submitted", "eligible"]) == services.MessageAudience(
        consortia=3, recipients=4
    )
    assert services.message_audience(call, states=["selected"]) == services.MessageAudience(
        consortia=0, recipients=0
    )


def test_send_message_queues_one_mail_per_consortium_in_the_chosen_states(call_with_consortia):
    call, proposals = call_with_consortia
    staff = StaffFactory()
    shown = services.message_audience(call, states=["submitted", "eligible"])
    events_before = AuditEvent.objects.count()

    sent = services.send_message_to_consortia(
        call,
        actor=staff,
        subject=SUBJECT,
        body=BODY,
        states=["submitted", "eligible"],
        now=SENT_AT,
        expected=shown,
    )

    assert sent == shown.consortia == 3
    mails = _message_mails()
    assert [mail.to for mail in mails] == [
        ["a@falkensee.example", "b@falkensee.example"],
        ["c@nauen.example"],
        ["d@rathenow.example"],
    ]
    assert sum(len(mail.to) for mail in mails) == shown.recipients == 4
    first = proposals["first"]
    assert mails[0].subject == f"{SUBJECT} ({first.reference})"
    assert mails[0].body == (
        f"Nachricht des Programmteams zum Aufruf „{call.title}“\n"
        f"an das Konsortium der Interessenbekundung „{first.title}“ (Kennung {first.reference})\n\n"
        f"{BODY}\n\n--\nSie erhalten diese E-Mail als Mitglied des Konsortiums. Rückfragen richten Sie bitte "
        f"an {call.contact_email}.\n"
    )
    assert sorted(
        ProposalMail.objects.filter(kind=ProposalMailKind.MESSAGE).values_list("proposal_id", "mail_id")
    ) == [
        (proposals[name].pk, mail.pk) for name, mail in zip(("first", "second", "third"), mails, strict=True)
    ]
    assert [item.mail.subject for item in queries.mails_of(proposals["second"])] == [
        f"{SUBJECT} ({proposals['second'].reference})",
        f"Eingangsbestätigung: {proposals['second'].reference} {proposals['second'].title}",
    ]
    assert not ProposalMail.objects.filter(proposal=proposals["draft"]).exists()
    [event] = AuditEvent.objects.order_by("sequence")[events_before:]
    assert (event.action, event.target_type, event.target_id) == (
        "call.message_sent",
        "calls.call",
        str(call.pk),
    )
    assert event.data["consortia"] == 3
    assert event.data["recipients"] == 4
    assert event.data["states"] == ["eligible", "submitted"]


def test_send_message_to_drafts_only_reaches_the_draft(call_with_consortia):
    call, proposals = call_with_consortia
    sent = services.send_message_to_consortia(
        call, actor=StaffFactory(), subject=SUBJECT, body=BODY, states=["draft"], now=SENT_AT
    )
    assert sent == 1
    assert [mail.to for mail in _message_mails()] == [["e@premnitz.example"]]
    assert list(
        ProposalMail.objects.filter(kind=ProposalMailKind.MESSAGE).values_list("proposal_id", flat=True)
    ) == [proposals["draft"].pk]


def test_send_message_refused_when_the_audience_changed_since_the_preview(call_with_consortia):
    call, proposals = call_with_consortia
    shown = services.message_audience(call, states=["submitted"])
    ConsortiumMember.objects.create(
        proposal=proposals["second"], user=UserFactory(email="neu@nauen.example"), joined_at=SENT_AT
    )
    events_before = AuditEvent.objects.count()

    with pytest.raises(services.AudienceChanged) as refused:
        services.send_message_to_consortia(
            call,
            actor=StaffFactory(),
            subject=SUBJECT,
            body=BODY,
            states=["submitted"],
            now=SENT_AT,
            expected=shown,
        )

    assert str(refused.value) == (
        "Die Nachricht wurde nicht versendet: Seit der Vorschau hat sich der Kreis der Empfänger geändert "
        "(Vorschau: 2 Konsortien, 3 Empfänger; jetzt: 2 Konsortien, 4 Empfänger). Bitte prüfen Sie die "
        "neue Vorschau."
    )
    assert _message_mails() == []
    assert not ProposalMail.objects.filter(kind=ProposalMailKind.MESSAGE).exists()
    assert AuditEvent.objects.count() == events_before


def test_send_message_refused_when_nobody_is_in_the_states(call_with_consortia):
    call, _ = call_with_consortia
    with pytest.raises(services.NobodyToWrite):
        services.send_message_to_consortia(
            call, actor=StaffFactory(), subject=SUBJECT, body=BODY, states=["selected"], now=SENT_AT
        )
    assert _message_mails() == []


def test_send_message_refuses_an_empty_subject_body_or_state_list(call_with_consortia):
    call, _ = call_with_consortia
    with pytest.raises(InvalidContent) as refused:
        services.send_message_to_consortia(
            call, actor=StaffFactory(), subject="  ", body="\n", states=[], now=SENT_AT
        )
    assert refused.value.errors == {
        "subject": ["Bitte geben Sie einen Betreff an."],
        "body": ["Bitte geben Sie einen Text an."],
        "states": ["Bitte wählen Sie mindestens einen Status."],
    }
    assert _message_mails() == []


def test_preview_message_is_the_mail_of_the_first_consortium(call_with_consortia):
    call, proposals = call_with_consortia
    subject, body = services.preview_message(call, subject=SUBJECT, body=BODY, states=["submitted"])
    services.send_message_to_consortia(
        call, actor=StaffFactory(), subject=SUBJECT, body=BODY, states=["submitted"], now=SENT_AT
    )
    first_mail = _message_mails()[0]
    assert (subject, body) == (first_mail.subject, first_mail.body)
    assert ProposalMail.objects.get(mail=first_mail).proposal_id == proposals["first"].pk
