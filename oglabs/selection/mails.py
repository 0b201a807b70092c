"""The mails of the selection: the decision to each consortium, the confirmation of a selected
lab's withdrawal, and the notice to the consortium that moved up.

Rendered from ``templates/mail/selection/``, queued in the caller's transaction through the
outbox (sent after commit; gone if the transaction rolls back) and recorded as a
``ProposalMail`` so that the proposal's mail history lists them. German, like the call.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from oglabs.mail.models import OutboxMail
from oglabs.mail.services import queue_mail
from oglabs.proposals.formatting import format_euro
from oglabs.proposals.models import Proposal, ProposalMail, ProposalMailKind
from oglabs.proposals.queries import member_emails
from oglabs.selection.models import DecisionEntry, MoveUp, Outcome

DECISION_KIND = ProposalMailKind.SELECTION_DECISION.value
WITHDRAWAL_KIND = ProposalMailKind.SELECTION_WITHDRAWAL.value
MOVE_UP_KIND = ProposalMailKind.SELECTION_MOVE_UP.value


def _render(name: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"mail/selection/{name}_subject.txt", context)
        body = render_to_string(f"mail/selection/{name}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def _base(proposal: Proposal) -> dict[str, Any]:
    lead = proposal.lead_municipality
    return {
        "title": proposal.title,
        "reference": proposal.reference,
        "call_title": proposal.call.title,
        "lead": lead.name if lead is not None else "",
        "contact_email": proposal.call.contact_email,
    }


def _queue(
    proposal: Proposal, *, kind: str, name: str, context: dict[str, Any], now: datetime, language: str
) -> OutboxMail | None:
    """Queue to every member and record it in the proposal's history; ``None`` without members."""
    recipients = member_emails(proposal)
    if not recipients:  # a consortium without members (imported, none in practice) has nobody to tell
        return None
    subject, body = _render(name, context, language)
    with transaction.atomic():
        queued = queue_mail(to=recipients, subject=subject, body=body, kind=kind, now=now)
        ProposalMail.objects.create(proposal=proposal, mail=queued, kind=kind, created_at=now)
    return queued


def queue_decision_mail(
    proposal: Proposal, entry: DecisionEntry, *, now: datetime, language: str = "de"
) -> OutboxMail | None:
    """The decision for one consortium: outcome, amount (or waitlist position) and the reason."""
    context = {
        **_base(proposal),
        "outcome": entry.outcome,
        "selected": entry.outcome == Outcome.SELECTED,
        "waitlisted": entry.outcome == Outcome.WAITLISTED,
        "granted": format_euro(entry.granted_amount),
        "requested": format_euro(entry.requested_amount),
        "reduced": entry.outcome == Outcome.SELECTED and entry.granted_amount < entry.requested_amount,
        "waitlist_position": entry.waitlist_position,
        "reason": entry.reason.strip(),
    }
    return _queue(proposal, kind=DECISION_KIND, name="decision", context=context, now=now, language=language)


def queue_withdrawal_mail(
    proposal: Proposal, *, reason: str, now: datetime, language: str = "de"
) -> OutboxMail | None:
    """Confirms to a selected lab that its withdrawal is recorded (it may have been staff who entered it)."""
    context = {**_base(proposal), "reason": reason.strip()}
    return _queue(
        proposal, kind=WITHDRAWAL_KIND, name="withdrawal", context=context, now=now, language=language
    )


def queue_move_up_mail(
    proposal: Proposal, move_up: MoveUp, *, requested: Decimal, now: datetime, language: str = "de"
) -> OutboxMail | None:
    """Tells the consortium that moved up from the waitlist: selected, with its granted amount."""
    context = {
        **_base(proposal),
        "granted": format_euro(move_up.granted_amount),
        "requested": format_euro(requested),
        "reduced": move_up.granted_amount < requested,
    }
    return _queue(proposal, kind=MOVE_UP_KIND, name="move_up", context=context, now=now, language=language)
