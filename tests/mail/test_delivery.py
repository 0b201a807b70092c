"""Delivering outbox mail to a real SMTP server that is down, comes back, or refuses."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from oglabs.mail.delivery import (
    LEASE,
    MAX_ATTEMPTS,
    Delivery,
    DeliveryOutcome,
    deliver_mail,
    retry_delay,
)
from oglabs.mail.models import OutboxMail, OutboxStatus
from oglabs.mail.services import MailAttachment, queue_mail, send_due_mail
from oglabs.mail.tasks import send_outbox_mail
from tests.mail.conftest import SmtpServer

#: Earlier than the clock the task reads, so a queued mail is due at once.
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
REFUSED = "ConnectionRefusedError: [Errno 111] Connection refused"


def _queue(to: str = "kommune@example.org") -> OutboxMail:
    return queue_mail(
        to=[to],
        subject="Einladung zum Workshop",
        body="Wir laden Sie herzlich ein.",
        kind="support:workshop_invitation",
        now=NOW,
        attachments=[MailAttachment("programm.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")],
    )


@pytest.mark.django_db
def test_outbox_mail_smtp_down_stays_pending_then_sent_once_when_back(
    smtp_server: SmtpServer,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        mail = _queue()
    after = timezone.now()

    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error) == (OutboxStatus.PENDING, 1, REFUSED)
    assert before + retry_delay(1) <= mail.next_attempt_at <= after + retry_delay(1)
    assert smtp_server.envelopes == []

    smtp_server.start()
    retry_at = mail.next_attempt_at
    outcomes = send_due_mail(now=retry_at)

    mail.refresh_from_db()
    assert outcomes == Counter({DeliveryOutcome.SENT: 1})
    assert (mail.status, mail.attempts, mail.sent_at, mail.last_error) == (OutboxStatus.SENT, 2, retry_at, "")
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["kommune@example.org"]
    assert isinstance(envelope.content, bytes)
    received = message_from_bytes(envelope.content, policy=policy.default)
    assert received["Subject"] == "Einladung zum Workshop"
    assert [part.get_filename() for part in received.iter_attachments()] == ["programm.pdf"]

    assert send_due_mail(now=retry_at + timedelta(days=1)) == Counter()
    assert len(smtp_server.envelopes) == 1


@pytest.mark.django_db
def test_deliver_mail_not_yet_due_skipped(smtp_server: SmtpServer) -> None:
    smtp_server.start()
    mail = _queue()

    assert deliver_mail(mail.pk, now=NOW - timedelta(seconds=1)) == Delivery(DeliveryOutcome.SKIPPED)
    assert smtp_server.envelopes == []


@pytest.mark.django_db
def test_deliver_mail_backoff_doubles_per_attempt(smtp_server: SmtpServer) -> None:
    mail = _queue()
    now = NOW
    delays = []
    for _attempt in range(4):
        delivery = deliver_mail(mail.pk, now=now)
        assert delivery.outcome is DeliveryOutcome.RETRY
        assert delivery.transport_down is True
        assert delivery.next_attempt_at is not None
        delays.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at

    assert delays == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert OutboxMail.objects.values_list("status", "attempts").get() == (OutboxStatus.PENDING, 4)


def test_retry_delay_capped_at_four_hours() -> None:
    assert [retry_delay(attempts) for attempts in (1, 8, 9, 10)] == [
        timedelta(minutes=1),
        timedelta(minutes=128),
        timedelta(hours=4),
        timedelta(hours=4),
    ]


@pytest.mark.django_db
def test_deliver_mail_last_attempt_fails_for_good(smtp_server: SmtpServer) -> None:
    mail = _queue()
    OutboxMail.objects.filter(pk=mail.pk).update(attempts=MAX_ATTEMPTS - 1)

    delivery = deliver_mail(mail.pk, now=NOW)

    assert delivery == Delivery(DeliveryOutcome.FAILED)
    assert OutboxMail.objects.values_list("status", "attempts", "last_error").get() == (
        OutboxStatus.FAILED,
        MAX_ATTEMPTS,
        REFUSED,
    )
    assert send_due_mail(now=NOW + timedelta(days=30)) == Counter()


@pytest.mark.django_db
def test_deliver_mail_recipient_refused_fails_at_once(smtp_server: SmtpServer) -> None:
    smtp_server.handler.refuse_recipients = True
    smtp_server.start()
    mail = _queue(to="unbekannt@example.org")

    delivery = deliver_mail(mail.pk, now=NOW)

    mail.refresh_from_db()
    assert delivery == Delivery(DeliveryOutcome.FAILED)
    assert (mail.status, mail.attempts) == (OutboxStatus.FAILED, 1)
    assert mail.last_error == (
        "SMTPRecipientsRefused: {'unbekannt@example.org': (550, b'5.1.1 Mailbox unavailable')}"
    )


@pytest.mark.django_db
def test_send_due_mail_stops_at_first_transport_error(smtp_server: SmtpServer) -> None:
    first, second = _queue(), _queue()

    outcomes = send_due_mail(now=NOW)

    assert outcomes == Counter({DeliveryOutcome.RETRY: 1})
    assert list(OutboxMail.objects.order_by("pk").values_list("pk", "attempts")) == [
        (first.pk, 1),
        (second.pk, 0),
    ]


@pytest.mark.django_db
def test_send_due_mail_reclaims_mail_whose_sender_died(smtp_server: SmtpServer) -> None:
    smtp_server.start()
    mail = _queue()
    OutboxMail.objects.filter(pk=mail.pk).update(
        status=OutboxStatus.SENDING, attempts=1, next_attempt_at=NOW + LEASE
    )

    assert send_due_mail(now=NOW + LEASE - timedelta(seconds=1)) == Counter()
    assert send_due_mail(now=NOW + LEASE) == Counter({DeliveryOutcome.SENT: 1})
    assert len(smtp_server.envelopes) == 1


@pytest.mark.django_db
def test_send_outbox_mail_task_reenqueues_itself_after_backoff(
    smtp_server: SmtpServer,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        mail = _queue()
    [queued] = DBTaskResult.objects.all()
    assert (queued.args_kwargs, queued.run_after.year) == ({"args": [mail.pk], "kwargs": {}}, 9999)

    assert send_outbox_mail.call(mail.pk) == "retry"

    mail.refresh_from_db()
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.args_kwargs == {"args": [mail.pk], "kwargs": {}}
    assert retry.run_after == mail.next_attempt_at


@pytest.mark.django_db(transaction=True)
def test_queue_mail_committed_sent_rolled_back_never(smtp_server: SmtpServer) -> None:
    smtp_server.start()

    with pytest.raises(RuntimeError), transaction.atomic():
        _queue(to="verworfen@example.org")
        raise RuntimeError("the caller failed")
    with transaction.atomic():
        _queue(to="bestaetigt@example.org")

    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["bestaetigt@example.org"]]
    assert list(OutboxMail.objects.values_list("to", "status")) == [(["bestaetigt@example.org"], "sent")]


def _deliver_in_thread(
    mail_id: int, outcomes: list[DeliveryOutcome], barrier: threading.Barrier | None
) -> None:
    try:
        if barrier is not None:
            barrier.wait()
        outcomes.append(deliver_mail(mail_id, now=NOW).outcome)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_deliver_mail_concurrent_senders_deliver_once(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    smtp_server.start()
    mail = _queue()
    senders = 5
    barrier = threading.Barrier(senders)
    outcomes: list[DeliveryOutcome] = []
    threads = [
        threading.Thread(target=_deliver_in_thread, args=(mail.pk, outcomes, barrier)) for _ in range(senders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == sorted([DeliveryOutcome.SENT] + [DeliveryOutcome.SKIPPED] * (senders - 1))
    assert len(smtp_server.envelopes) == 1
    assert OutboxMail.objects.values_list("status", "attempts").get() == (OutboxStatus.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_deliver_mail_second_sender_during_smtp_conversation_skips(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    smtp_server.start()
    mail = _queue()
    second: list[DeliveryOutcome] = []
    smtp_server.handler.during_data = lambda: _deliver_in_thread(mail.pk, second, None)

    first = deliver_mail(mail.pk, now=NOW)

    assert (first.outcome, second) == (DeliveryOutcome.SENT, [DeliveryOutcome.SKIPPED])
    assert len(smtp_server.envelopes) == 1
