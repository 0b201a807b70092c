"""Delivering one outbox mail: claim it, send it, record the outcome.

A mail is claimed by a conditional UPDATE (due and not claimed by anyone else → ``sending``
with a lease), committed before the SMTP conversation starts. Of two senders running at the
same time only one claims the mail, so it is sent once. If a sender dies after the SMTP
server accepted the mail but before recording it, the lease runs out and the mail is sent
again: at least once after a crash, exactly once otherwise.
"""

from __future__ import annotations

import enum
import logging
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.db.models import F, Q, QuerySet

from oglabs.mail.models import OutboxAttachment, OutboxMail, OutboxStatus
from oglabs.mail.renderers import render_attachment

logger = logging.getLogger(__name__)

#: After this many attempts a mail is given up (status ``failed``).
MAX_ATTEMPTS = 10
#: How long a claim holds; far longer than one SMTP conversation (``EMAIL_TIMEOUT``).
LEASE = timedelta(minutes=15)
FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=4)

#: Errors that say the mail server cannot be reached at all (rather than refusing this mail).
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)


class DeliveryOutcome(enum.StrEnum):
    SENT = "sent"
    #: Not sent; tried again at ``next_attempt_at``.
    RETRY = "retry"
    #: Given up for good.
    FAILED = "failed"
    #: Not due, already sent, or claimed by another sender: nothing done.
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Delivery:
    outcome: DeliveryOutcome
    next_attempt_at: datetime | None = None
    #: The mail server could not be reached; other mail will not get through either.
    transport_down: bool = False


def due_mail(*, now: datetime) -> Q:
    """Mail that may be claimed at ``now``: pending and due, or claimed with an expired lease."""
    return Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=now)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 … minutes after the 1st, 2nd, 3rd … attempt, at most 4 hours."""
    return min(FIRST_RETRY_DELAY * 2 ** (attempts - 1), MAX_RETRY_DELAY)


def deliver_mail(mail_id: int, *, now: datetime) -> Delivery:
    """Send the outbox mail ``mail_id`` if it is due at ``now`` and nobody else is sending it."""
    claimed = OutboxMail.objects.filter(due_mail(now=now), pk=mail_id).update(
        status=OutboxStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE
    )
    if not claimed:
        return Delivery(DeliveryOutcome.SKIPPED)
    mail = OutboxMail.objects.prefetch_related("attachments").get(pk=mail_id)
    try:
        build_message(mail).send()
    except Exception as error:
        return _record_failure(mail, error, now=now)
    if not _claimed(mail).update(status=OutboxStatus.SENT, sent_at=now, last_error=""):
        logger.warning("outbox mail %s was sent after its lease ran out", mail.pk)
    return Delivery(DeliveryOutcome.SENT)


def build_message(mail: OutboxMail) -> EmailMultiAlternatives:
    """The e-mail for an outbox row, with a Message-ID that stays the same on every attempt."""
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        to=list(mail.to),
        headers={"Message-ID": f"<outbox.{mail.pk}.{mail.created_at:%Y%m%d%H%M%S}@{DNS_NAME}>"},
    )
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    for attachment in mail.attachments.all():
        message.attach(attachment.filename, attachment_bytes(attachment), attachment.mimetype)
    return message


def attachment_bytes(attachment: OutboxAttachment) -> bytes:
    """The attachment's content; a deferred one is rendered once and kept for later attempts."""
    if attachment.renderer and not attachment.content:
        content = render_attachment(attachment.renderer, attachment.renderer_arguments)
        OutboxAttachment.objects.filter(pk=attachment.pk).update(content=content)
        attachment.content = content
    return bytes(attachment.content)


def is_permanent(error: Exception) -> bool:
    """Retrying cannot help: every recipient was refused for good, or the mail itself is broken."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return not isinstance(error, OSError)  # smtplib's errors are OSErrors; others are our own


def _claimed(mail: OutboxMail) -> QuerySet[OutboxMail]:
    """The row, as long as the claim that loaded ``mail`` still holds."""
    return OutboxMail.objects.filter(pk=mail.pk, status=OutboxStatus.SENDING, attempts=mail.attempts)


def _record_failure(mail: OutboxMail, error: Exception, *, now: datetime) -> Delivery:
    last_error = f"{type(error).__name__}: {error}"[:2000]
    claim = _claimed(mail)
    if is_permanent(error) or mail.attempts >= MAX_ATTEMPTS:
        claim.update(status=OutboxStatus.FAILED, last_error=last_error)
        logger.error("outbox mail %s failed for good: %s", mail.pk, last_error)
        return Delivery(DeliveryOutcome.FAILED)
    next_attempt_at = now + retry_delay(mail.attempts)
    claim.update(status=OutboxStatus.PENDING, last_error=last_error, next_attempt_at=next_attempt_at)
    logger.warning("outbox mail %s not sent (attempt %s): %s", mail.pk, mail.attempts, last_error)
    return Delivery(
        DeliveryOutcome.RETRY,
        next_attempt_at=next_attempt_at,
        transport_down=isinstance(error, TRANSPORT_ERRORS),
    )
