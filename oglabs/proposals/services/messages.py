"""Messages from the programme staff to the consortia of a call, filtered by state.

Staff see a preview and the exact count (``message_audience``) before sending; sending compares
that count with what would be sent now and refuses if it changed, so what was shown is what goes
out. One mail per consortium (to all its members) through the outbox, each recorded in the
proposal's history, all in one transaction with one audit event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.proposals import mails, queries
from oglabs.proposals.exceptions import InvalidContent, ProposalError
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState


@dataclass(frozen=True)
class MessageAudience:
    """Who a message reaches: one mail per consortium, ``recipients`` addresses in all."""

    consortia: int
    recipients: int


class AudienceChanged(ProposalError):
    def __init__(self, shown: MessageAudience, now: MessageAudience) -> None:
        self.shown = shown
        self.now = now
        super().__init__(
            "Die Nachricht wurde nicht versendet: Seit der Vorschau hat sich der Kreis der Empfänger "
            f"geändert (Vorschau: {shown.consortia} Konsortien, {shown.recipients} Empfänger; jetzt: "
            f"{now.consortia} Konsortien, {now.recipients} Empfänger). Bitte prüfen Sie die neue Vorschau."
        )


class NobodyToWrite(ProposalError):
    def __init__(self) -> None:
        super().__init__(
            "In den gewählten Status gibt es kein Konsortium, an das die Nachricht gehen könnte."
        )


def _clean(subject: str, body: str, states: Iterable[str]) -> tuple[str, str, list[str]]:
    subject = " ".join(subject.split())
    body = body.strip()
    chosen = sorted({ProposalState(state).value for state in states})
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = ["Bitte geben Sie einen Betreff an."]
    if not body:
        errors["body"] = ["Bitte geben Sie einen Text an."]
    if not chosen:
        errors["states"] = ["Bitte wählen Sie mindestens einen Status."]
    if errors:
        raise InvalidContent(errors)
    return subject, body, chosen


def _audience(targets: list[tuple[Proposal, list[str]]]) -> MessageAudience:
    return MessageAudience(consortia=len(targets), recipients=sum(len(emails) for _, emails in targets))


def message_audience(call: Call, *, states: Iterable[str]) -> MessageAudience:
    """How many consortia and addresses a message to ``states`` would reach now."""
    return _audience(queries.message_recipients(call, [ProposalState(state).value for state in states]))


def preview_message(call: Call, *, subject: str, body: str, states: Iterable[str]) -> tuple[str, str] | None:
    """The mail as the first consortium (by reference) would receive it; ``None`` if nobody would."""
    subject, body, chosen = _clean(subject, body, states)
    targets = queries.message_recipients(call, chosen)
    if not targets:
        return None
    return mails.render_consortium_message(targets[0][0], subject=subject, body=body)


def send_message_to_consortia(
    call: Call,
    *,
    actor: User,
    subject: str,
    body: str,
    states: Iterable[str],
    now: datetime,
    expected: MessageAudience | None = None,
) -> int:
    """Queue one mail per consortium of ``call`` in ``states`` to its members; returns the number of
    mails. With ``expected`` (the count shown in the preview) refused with ``AudienceChanged`` if
    the audience is different now; refused with ``NobodyToWrite`` if nobody would get it."""
    subject, body, chosen = _clean(subject, body, states)
    with transaction.atomic():
        targets = queries.message_recipients(call, chosen)
        audience = _audience(targets)
        if expected is not None and audience != expected:
            raise AudienceChanged(expected, audience)
        if not targets:
            raise NobodyToWrite
        queued = [
            mails.queue_consortium_message(proposal, to=emails, subject=subject, body=body, now=now)
            for proposal, emails in targets
        ]
        record_event(
            actor=actor,
            action="call.message_sent",
            target=call,
            data={
                "subject": subject,
                "states": chosen,
                "consortia": audience.consortia,
                "recipients": audience.recipients,
                "proposals": [proposal.reference for proposal, _ in targets],
                "mails": [mail.pk for mail in queued],
            },
            now=now,
        )
    return len(queued)
