"""Writing to the outbox. Every mail is queued here, in the caller's transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from oglabs.mail.delivery import DeliveryOutcome, deliver_mail, due_mail
from oglabs.mail.models import OutboxAttachment, OutboxMail
from oglabs.mail.renderers import is_registered
from oglabs.mail.tasks import send_outbox_mail


class InvalidMail(ValueError):
    """The mail cannot be queued as given (no or a malformed recipient, a broken subject)."""


@dataclass(frozen=True)
class MailAttachment:
    """An attachment: its bytes, or the name of a renderer that makes them at delivery."""

    filename: str
    content: bytes
    mimetype: str
    renderer: str = ""
    renderer_arguments: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def deferred(
        cls, filename: str, mimetype: str, *, renderer: str, arguments: dict[str, Any]
    ) -> MailAttachment:
        """Rendered by the registered ``renderer`` when the mail is first sent (``renderers.py``)."""
        return cls(filename, b"", mimetype, renderer=renderer, renderer_arguments=arguments)


def queue_mail(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    html: str | None = None,
    kind: str,
    now: datetime,
    attachments: Sequence[MailAttachment] = (),
) -> OutboxMail:
    """Put a mail into the outbox; it is sent by a background task once the transaction commits.

    If the caller's transaction rolls back, the mail is gone with it and never sent.
    """
    _validate(to=to, subject=subject, kind=kind, attachments=attachments)
    with transaction.atomic():
        mail = OutboxMail.objects.create(
            to=list(to),
            subject=subject,
            body=body,
            html=html or "",
            kind=kind,
            created_at=now,
            next_attempt_at=now,
        )
        OutboxAttachment.objects.bulk_create(
            OutboxAttachment(
                mail=mail,
                filename=item.filename,
                mimetype=item.mimetype,
                content=item.content,
                renderer=item.renderer,
                renderer_arguments=item.renderer_arguments,
            )
            for item in attachments
        )
        # robust: a broken task queue must not fail a committed request; send_outbox catches up.
        transaction.on_commit(partial(send_outbox_mail.enqueue, mail.pk), robust=True)
    return mail


def send_due_mail(*, now: datetime) -> Counter[DeliveryOutcome]:
    """Send every mail due at ``now`` (for cron, and after an outage or a lost task).

    Stops early when the mail server cannot be reached, so an outage does not use up the
    attempts of every waiting mail. Returns how many mails ended how.
    """
    outcomes: Counter[DeliveryOutcome] = Counter()
    due_ids = (
        OutboxMail.objects.filter(due_mail(now=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    for mail_id in list(due_ids):
        delivery = deliver_mail(mail_id, now=now)
        outcomes[delivery.outcome] += 1
        if delivery.transport_down:
            break
    return outcomes


def _validate(*, to: Sequence[str], subject: str, kind: str, attachments: Sequence[MailAttachment]) -> None:
    if isinstance(to, str) or not to:
        raise InvalidMail("at least one recipient is required, as a list")
    for address in to:
        try:
            validate_email(address)
        except ValidationError as error:
            raise InvalidMail(f"not an e-mail address: {address!r}") from error
    if "\n" in subject or "\r" in subject:
        raise InvalidMail("the subject must be one line")
    if not kind:
        raise InvalidMail("kind is required")
    if any(not item.filename for item in attachments):
        raise InvalidMail("every attachment needs a file name")
    for item in attachments:
        if item.renderer and item.content:
            raise InvalidMail("an attachment has either content or a renderer, not both")
        if item.renderer and not is_registered(item.renderer):
            raise InvalidMail(f"no attachment renderer registered as {item.renderer!r}")
