"""Background tasks of the transparency app (run by ``manage.py db_worker``).

The deadline sweep runs right after each deadline: ``schedule_next_sweep`` enqueues
``commit_due_deadlines_task`` for one second after the next deadline that has no commitment yet,
and every run schedules the next one. ``manage.py commit_deadline --due --schedule`` starts the
chain (``make run`` does); cron can run ``commit_deadline --due`` instead. Running the sweep twice
is harmless: ``services.commit_deadline`` is idempotent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from oglabs.transparency import queries, services


def schedule_next_sweep(*, now: datetime) -> datetime | None:
    """Enqueue the sweep for just after the next uncommitted deadline after ``now``; returns that
    deadline, or ``None`` when there is none or the task backend cannot run tasks later."""
    if not commit_due_deadlines_task.get_backend().supports_defer:
        return None
    deadline_at = queries.next_uncommitted_deadline(now=now)
    if deadline_at is None:
        return None
    commit_due_deadlines_task.using(run_after=deadline_at + timedelta(seconds=1)).enqueue()
    return deadline_at


@task()
def commit_due_deadlines_task() -> list[str]:
    """Seal every passed deadline without a commitment, then schedule the next sweep.

    A task is an interface boundary, so it reads the clock."""
    now = timezone.now()
    made = services.commit_due_deadlines(now=now)
    schedule_next_sweep(now=now)
    return [f"{commitment.call_id} {commitment.kind} {commitment.root}" for commitment in made]
