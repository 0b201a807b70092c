"""The mails of the jury, rendered from ``templates/mail/reviews/`` and queued through the outbox
in the caller's transaction (sent after commit; gone if the transaction rolls back).

One mail per juror: jurors never see each other's addresses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from oglabs.calls.timeline import BERLIN
from oglabs.mail.models import OutboxMail
from oglabs.mail.services import queue_mail
from oglabs.reviews.models import Juror

REMINDER_KIND = "reviews:reminder"

#: Path of the juror's page of a call (kept in step with the back office's URLconf by a test).
JUROR_REVIEWS_PATH = "/verwaltung/jury/{slug}/"


def juror_reviews_url(slug: str) -> str:
    return settings.SITE_URL.rstrip("/") + JUROR_REVIEWS_PATH.format(slug=slug)


def format_deadline(deadline: datetime) -> str:
    """``"15.12.2019, 23:59 Uhr"`` in Berlin time."""
    return f"{deadline.astimezone(BERLIN):%d.%m.%Y, %H:%M} Uhr"


def _render(name: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"mail/reviews/{name}_subject.txt", context)
        body = render_to_string(f"mail/reviews/{name}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def queue_reminder_mail(
    juror: Juror,
    *,
    open_count: int,
    draft_count: int,
    deadline: datetime | None,
    now: datetime,
    language: str = "de",
) -> OutboxMail:
    """Remind one juror of their open and draft reviews (and of a missing conflict declaration)."""
    call = juror.call
    context = {
        "call_title": call.title,
        "declared": juror.conflicts_declared_at is not None,
        "open": open_count,
        "draft": draft_count,
        "deadline": format_deadline(deadline) if deadline is not None else "",
        "url": juror_reviews_url(call.slug),
        "contact_email": call.contact_email,
    }
    subject, body = _render("reminder", context, language)
    return queue_mail(to=[juror.user.email], subject=subject, body=body, kind=REMINDER_KIND, now=now)
