"""Background tasks of the proposals app (run by ``manage.py db_worker``)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def queue_due_receipts_task() -> int:
    """Queue the receipt mail of every version that is owed one (``services.receipts``).

    A task is an interface boundary, so it reads the clock."""
    from oglabs.proposals.services.receipts import queue_due_receipts  # it enqueues this task

    return queue_due_receipts(now=timezone.now())
