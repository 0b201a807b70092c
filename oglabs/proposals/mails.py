"""The mails of the proposals app: texts rendered from ``templates/mail/proposals/``, queued in the
caller's transaction through the outbox (sent after commit; gone if the transaction rolls back).

The mail app knows no domain model, so the texts are rendered here. Mails are German, like the
call; the templates carry translation tags for the English translation.

Every mail about a proposal is also recorded as a ``ProposalMail`` in the same transaction, so the
proposal's history lists it (``queries.mails_of``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from oglabs.mail.models import OutboxMail
from oglabs.mail.services import MailAttachment, queue_mail
from oglabs.proposals.formatting import format_euro, format_instant
from oglabs.proposals.models import (
    EligibilityCheck,
    EligibilityDecision,
    Invitation,
    Partner,
    PartnerKind,
    Proposal,
    ProposalMail,
    ProposalMailKind,
    ProposalVersion,
    Stage,
)
from oglabs.proposals.receipt import RECEIPT_RENDERER, receipt_filename

RECEIPT_KIND = "proposal:receipt"
PARTNER_CONFIRMATION_KIND = "proposal:partner_confirmation"
INVITATION_KIND = "proposal:invitation"
ELIGIBILITY_DECISION_KIND = ProposalMailKind.ELIGIBILITY_DECISION.value
MESSAGE_KIND = ProposalMailKind.MESSAGE.value


def _requested_total(lines: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(str(line["amount"])) for line in lines), Decimal("0.00"))


def _render(name: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"mail/proposals/{name}_subject.txt", context)
        body = render_to_string(f"mail/proposals/{name}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def _queue_for(
    proposal: Proposal, *, kind: str, now: datetime, listed_at: datetime | None = None, **mail: Any
) -> OutboxMail:
    """Queue the mail and record it in the proposal's history (at ``listed_at``, by default
    ``now``), in one transaction."""
    with transaction.atomic():
        queued = queue_mail(kind=kind, now=now, **mail)
        ProposalMail.objects.create(proposal=proposal, mail=queued, kind=kind, created_at=listed_at or now)
    return queued


def queue_receipt_mail(
    proposal: Proposal, version: ProposalVersion, *, to: list[str], now: datetime, language: str = "de"
) -> OutboxMail:
    """The Eingangsbestätigung to every member, with the receipt PDF of ``version`` attached.

    Queued by the worker (``services.receipts``), not by the submitting request; the PDF is
    rendered from the frozen version when the mail is sent (a deferred attachment).
    """
    public = version.content["public"]
    lead = public.get("lead_municipality")
    context = {
        "reference": public["reference"],
        "title": public["title"],
        "stage": Stage(version.stage).label,
        "call_title": proposal.call.title,
        "submitted_at": format_instant(version.created_at),
        "version_number": version.number,
        "lead": lead["name"] if lead else "–",
        "municipality_count": (1 if lead else 0) + len(public.get("further_municipalities", [])),
        "partner_count": len(public.get("partners", [])),
        "task_count": len(public.get("tasks", [])),
        "requested_total": format_euro(_requested_total(public.get("budget", []))),
        "sha256": version.sha256,
        "filename": receipt_filename(public["reference"]),
        "contact_email": proposal.call.contact_email,
    }
    subject, body = _render("receipt", context, language)
    return _queue_for(
        proposal,
        to=to,
        subject=subject,
        body=body,
        kind=RECEIPT_KIND,
        now=now,
        # The history lists a receipt with the submission it confirms (the worker queues it a
        # moment later).
        listed_at=version.created_at,
        attachments=[
            MailAttachment.deferred(
                receipt_filename(public["reference"]),
                "application/pdf",
                renderer=RECEIPT_RENDERER,
                arguments={"version_id": version.pk},
            )
        ],
    )


def queue_partner_confirmation_mail(
    partner: Partner, *, url: str, now: datetime, language: str = "de"
) -> OutboxMail:
    """Ask the partner's contact to confirm participation through ``url`` (a one-time link)."""
    proposal: Proposal = partner.proposal
    lead = proposal.lead_municipality
    context = {
        "title": proposal.title,
        "reference": proposal.reference,
        "call_title": proposal.call.title,
        "partner": partner.name,
        "kind": PartnerKind(partner.kind).label,
        "role": partner.role_in_lab.strip(),
        "lead": lead.name if lead is not None else "",
        "url": url,
        "contact_email": proposal.call.contact_email,
    }
    subject, body = _render("partner_confirmation", context, language)
    return _queue_for(
        proposal,
        to=[partner.contact_email],
        subject=subject,
        body=body,
        kind=PARTNER_CONFIRMATION_KIND,
        now=now,
    )


def queue_invitation_mail(
    invitation: Invitation, *, url: str, now: datetime, language: str = "de"
) -> OutboxMail:
    """Invite a colleague to edit the proposal with the consortium through ``url`` (a one-time link)."""
    proposal: Proposal = invitation.proposal
    lead = proposal.lead_municipality
    context = {
        "title": proposal.title,
        "reference": proposal.reference,
        "call_title": proposal.call.title,
        "lead": lead.name if lead is not None else "",
        "url": url,
        "contact_email": proposal.call.contact_email,
    }
    subject, body = _render("invitation", context, language)
    return _queue_for(
        proposal, to=[invitation.email], subject=subject, body=body, kind=INVITATION_KIND, now=now
    )


def _decision_context(proposal: Proposal, check: EligibilityCheck) -> dict[str, Any]:
    lead = proposal.lead_municipality
    return {
        "title": proposal.title,
        "reference": proposal.reference,
        "call_title": proposal.call.title,
        "lead": lead.name if lead is not None else "",
        "eligible": check.decision == EligibilityDecision.ELIGIBLE,
        "reason": check.reason.strip(),
        "contact_email": proposal.call.contact_email,
    }


def queue_eligibility_decision_mail(
    proposal: Proposal, check: EligibilityCheck, *, to: list[str], now: datetime, language: str = "de"
) -> OutboxMail:
    """The result of the formal check, with its reason, to every member of the consortium."""
    subject, body = _render("eligibility_decision", _decision_context(proposal, check), language)
    return _queue_for(proposal, to=to, subject=subject, body=body, kind=ELIGIBILITY_DECISION_KIND, now=now)


def render_consortium_message(
    proposal: Proposal, *, subject: str, body: str, language: str = "de"
) -> tuple[str, str]:
    """Subject and text of a message from the programme staff to one consortium, as it is sent."""
    lead = proposal.lead_municipality
    context = {
        "subject": subject,
        "message": body.strip(),
        "title": proposal.title,
        "reference": proposal.reference,
        "call_title": proposal.call.title,
        "lead": lead.name if lead is not None else "",
        "contact_email": proposal.call.contact_email,
    }
    return _render("message", context, language)


def queue_consortium_message(
    proposal: Proposal, *, to: list[str], subject: str, body: str, now: datetime, language: str = "de"
) -> OutboxMail:
    """A message from the programme staff to the members of one consortium."""
    rendered_subject, rendered_body = render_consortium_message(
        proposal, subject=subject, body=body, language=language
    )
    return _queue_for(
        proposal, to=to, subject=rendered_subject, body=rendered_body, kind=MESSAGE_KIND, now=now
    )
