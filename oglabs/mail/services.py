"""Queue mail through the outbox. (Skeleton: completed by the mail foundation.)"""

from __future__ import annotations

from django.utils import timezone

from oglabs.mail.models import OutboxMail


def queue_mail(*, to: list[str], subject: str, body: str, html: str | None = None, kind: str) -> OutboxMail:
    return OutboxMail.objects.create(
        to=to, subject=subject, body=body, html=html or "", kind=kind, created_at=timezone.now()
    )
