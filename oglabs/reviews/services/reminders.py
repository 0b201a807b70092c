"""Reminding jurors of their open and draft reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.reviews import mails, queries
from oglabs.reviews.exceptions import NoOpenReviews
from oglabs.reviews.services.common import require_staff


def send_review_reminders(call: Call, *, actor: Any, now: datetime) -> int:
    """Mail every juror of the call who has open or draft reviews, or has not yet declared their
    conflicts: how many reviews are waiting and, if the call has a selection phase, by when.
    Returns the number of mails; refused with ``NoOpenReviews`` when nobody needs a reminder.
    Audit: one ``reviews.reminders_sent`` with the jurors and their counts."""
    require_staff(actor)
    deadline = queries.review_deadline(call)
    with transaction.atomic():
        rows = [row for row in queries.review_progress(call) if row.remaining or not row.declared]
        if not rows:
            raise NoOpenReviews
        for row in rows:
            row.juror.call = call
            mails.queue_reminder_mail(
                row.juror, open_count=row.open, draft_count=row.draft, deadline=deadline, now=now
            )
        record_event(
            actor=actor,
            action="reviews.reminders_sent",
            target=call,
            data={
                "jurors": [
                    {"juror": row.juror.pk, "open": row.open, "draft": row.draft, "declared": row.declared}
                    for row in rows
                ],
                "deadline": deadline,
            },
            now=now,
        )
    return len(rows)
