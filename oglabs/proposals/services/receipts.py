"""Receipts (Eingangsbestätigungen): owed by every handed-in version, queued by the worker.

A submission marks its version ``receipt_owed`` in its own transaction — the version row is the
outbox entry of its receipt, so a receipt can be neither lost nor sent for a submission that
was rolled back — and the worker queues the mail (text, and the PDF attached at delivery) with
``queue_due_receipts``. Rendering the text is thus no part of the request at the deadline.

Who starts the worker's task: the submission calls ``start_receipt_task`` once its transaction
has committed. If an older receipt is still owed, a task for that one is on its way, and that
task also queues this receipt; otherwise the submission enqueues the task. Why no receipt is
left behind: ``queue_due_receipts`` repeats its round (queue every owed receipt, clear the marks,
commit) until a round finds none. A submission that finds an older receipt owed looks after its
own commit, so the round that clears that older receipt commits after the submission did, and
the task's next round, which starts later still, finds this receipt.

On SQLite the prepared submission looks in its own transaction instead, in the statement that
freezes its version (``OLDER_OWED_RETURNING``): SQLite runs one write transaction at a time and
every round is one, so a round either committed before the submission began (which then sees
that round's clearing) or begins after the submission committed (and finds its receipt).

A submission made inside a caller's transaction (a test, a script) looks before that
transaction commits; then ``audit.services.hold_log`` keeps the argument: the submission holds
the log from its audit event until it commits, and every round starts by holding it, so a
round commits either before the submission looks (which then sees that round's clearing) or
after the submission committed.

If the task fails in a round, that round is rolled back and its receipts stay owed; if the
process ends between the submission's commit and the enqueueing, the receipt is owed without a
task. Either way the first submission that finds a receipt owed for longer than
``OVERDUE_AFTER`` starts the task again, and ``manage.py queue_receipts`` (cron, or by hand
after an outage) queues every owed receipt at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from oglabs.audit.services import hold_log
from oglabs.proposals import mails, queries
from oglabs.proposals.models import ProposalVersion

#: Receipts queued per round (one transaction each).
ROUND_SIZE = 50
#: An owed receipt older than this was left behind by a task that failed (``start_receipt_task``).
OVERDUE_AFTER = timedelta(minutes=2)


def start_receipt_task(version: ProposalVersion, *, now: datetime) -> None:
    """Start the worker's task for ``version``'s receipt unless an older receipt is owed and not
    yet overdue; after the submission's transaction (see the module's docstring). An older
    receipt owed for longer than ``OVERDUE_AFTER`` means that the task that should have queued
    it failed: then the task is started again."""
    with connection.cursor() as cursor:
        cursor.execute(_OLDEST_OLDER_OWED_SQL, [overdue_before(now), version.pk])
        older = cursor.fetchone()
    start_receipt_task_unless_on_its_way(None if older is None else older[0])


def start_receipt_task_unless_on_its_way(older_overdue: int | None) -> None:
    """Start the worker's task unless an older receipt is owed and not yet overdue (a task for
    it is on its way and queues this one too). ``older_overdue``: whether the oldest receipt
    owed before the submission's is overdue (true or 1), ``None`` if none is — as
    ``start_receipt_task`` reads it after the commit, or on SQLite the submission's own
    statement (``OLDER_OWED_RETURNING``)."""
    if older_overdue is None or older_overdue:
        from oglabs.proposals.tasks import queue_due_receipts_task  # the task calls this module

        with transaction.atomic(savepoint=False):  # on SQLite: through the writers' queue
            queue_due_receipts_task.enqueue()


def overdue_before(now: datetime) -> Any:
    """The parameter of ``_OLDEST_OLDER_OWED_SQL`` and ``OLDER_OWED_RETURNING``: a receipt owed
    since before this instant is overdue."""
    return connection.ops.adapt_datetimefield_value(now - OVERDUE_AFTER)


def queue_due_receipts(*, now: datetime) -> int:
    """Queue the receipt mail of every version that is owed one, oldest first, in rounds of
    ``ROUND_SIZE``, until a round finds none; returns how many were queued."""
    queued = 0
    while True:
        with transaction.atomic():
            hold_log()
            owed = list(
                ProposalVersion.objects.filter(receipt_owed=True)
                .select_related("proposal__call")
                .order_by("pk")[:ROUND_SIZE]
            )
            for version in owed:
                mails.queue_receipt_mail(
                    version.proposal, version, to=queries.member_emails(version.proposal), now=now
                )
            ProposalVersion.objects.filter(pk__in=[version.pk for version in owed]).update(receipt_owed=False)
        if not owed:
            return queued
        queued += len(owed)


def _oldest_older_owed(before: str) -> str:
    """The oldest receipt owed before the version whose id is ``before`` (an SQL expression):
    whether it is overdue (one row), or no row. Its first parameter: ``overdue_before``. The
    partial index ``version_receipt_owed_idx`` holds only owed versions."""
    table = ProposalVersion._meta.db_table
    return (
        f'SELECT o."created_at" < %s FROM "{table}" o '  # noqa: S608  # name from the model
        f'WHERE o."receipt_owed" AND o."id" < {before} ORDER BY o."id" LIMIT 1'
    )


_OLDEST_OLDER_OWED_SQL = _oldest_older_owed("%s")

#: SQLite: a RETURNING column for the statement that inserts a version: whether the oldest
#: receipt owed before the new version is overdue, NULL if none is. One parameter,
#: ``overdue_before``.
OLDER_OWED_RETURNING = "(" + _oldest_older_owed('"' + ProposalVersion._meta.db_table + '"."id"') + ")"
