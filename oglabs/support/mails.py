"""The mails of the support app, rendered from ``templates/mail/support/`` and queued through the
outbox in the caller's transaction (sent after commit; gone if the transaction rolls back).

One mail per recipient: applicants of different consortia never see each other's addresses.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from oglabs.calls.timeline import BERLIN
from oglabs.mail.models import OutboxMail
from oglabs.mail.services import queue_mail
from oglabs.proposals.models import Proposal
from oglabs.support.models import Question, Workshop

ANSWER_PUBLISHED_KIND = "support:answer_published"
WORKSHOP_INVITATION_KIND = "support:workshop_invitation"
WAITLIST_PROMOTED_KIND = "support:waitlist_promoted"

#: Paths of the pages the mails link to (kept in step with the URLconfs by a test).
FAQ_PATH = "/aufrufe/{slug}/fragen/"
WORKSHOP_PATH = "/portal/workshops/{pk}/"


def faq_url(slug: str) -> str:
    return settings.SITE_URL.rstrip("/") + FAQ_PATH.format(slug=slug)


def workshop_url(pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + WORKSHOP_PATH.format(pk=pk)


def workshop_when(workshop: Workshop) -> str:
    """``"14.11.2019, 10:00 Uhr bis 14.11.2019, 17:00 Uhr"`` in Berlin time."""
    starts, ends = workshop.starts_at.astimezone(BERLIN), workshop.ends_at.astimezone(BERLIN)
    return f"{starts:%d.%m.%Y, %H:%M} Uhr bis {ends:%d.%m.%Y, %H:%M} Uhr"


def _render(name: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"mail/support/{name}_subject.txt", context)
        body = render_to_string(f"mail/support/{name}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def queue_answer_mails(
    question: Question, *, recipients: Iterable[str], now: datetime, language: str = "de"
) -> list[OutboxMail]:
    """The published question and answer, one mail to each address."""
    call = question.call
    context = {
        "call_title": call.title,
        "topic": question.topic.label if question.topic is not None else "",
        "question": question.public_question,
        "answer": question.answer,
        "url": faq_url(call.slug),
        "contact_email": call.contact_email,
    }
    subject, body = _render("answer_published", context, language)
    return [
        queue_mail(to=[address], subject=subject, body=body, kind=ANSWER_PUBLISHED_KIND, now=now)
        for address in recipients
    ]


def _proposal_context(workshop: Workshop, proposal: Proposal) -> dict[str, Any]:
    return {
        "title": proposal.title,
        "reference": proposal.reference,
        "workshop_title": workshop.title,
        "call_title": workshop.call.title,
        "when": workshop_when(workshop),
        "place": workshop.place.strip(),
        "online": bool(workshop.online_url),
        "capacity": workshop.capacity,
        "url": workshop_url(workshop.pk),
        "contact_email": workshop.call.contact_email,
    }


def queue_invitation_mails(
    workshop: Workshop, proposal: Proposal, *, recipients: Iterable[str], now: datetime, language: str = "de"
) -> list[OutboxMail]:
    subject, body = _render("workshop_invitation", _proposal_context(workshop, proposal), language)
    return [
        queue_mail(to=[address], subject=subject, body=body, kind=WORKSHOP_INVITATION_KIND, now=now)
        for address in recipients
    ]


def queue_promotion_mails(
    workshop: Workshop, proposal: Proposal, *, recipients: Iterable[str], now: datetime, language: str = "de"
) -> list[OutboxMail]:
    subject, body = _render("waitlist_promoted", _proposal_context(workshop, proposal), language)
    return [
        queue_mail(to=[address], subject=subject, body=body, kind=WAITLIST_PROMOTED_KIND, now=now)
        for address in recipients
    ]
