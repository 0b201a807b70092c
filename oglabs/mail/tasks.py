"""Background tasks of the outbox (run by ``manage.py db_worker``)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from oglabs.mail.delivery import DeliveryOutcome, deliver_mail


@task()
def send_outbox_mail(mail_id: int) -> str:
    """Send one outbox mail; if the mail server is unavailable, try again after the backoff.

    A task is an interface boundary, so it reads the clock. Backends that cannot defer a task
    (the immediate one in tests) leave the retry to ``manage.py send_outbox``.
    """
    delivery = deliver_mail(mail_id, now=timezone.now())
    if (
        delivery.outcome is DeliveryOutcome.RETRY
        and delivery.next_attempt_at is not None
        and send_outbox_mail.get_backend().supports_defer
    ):
        send_outbox_mail.using(run_after=delivery.next_attempt_at).enqueue(mail_id)
    return delivery.outcome.value
