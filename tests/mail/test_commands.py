"""manage.py send_outbox, and the task run by manage.py db_worker."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from pytest_django.fixtures import Settings

from oglabs.mail.models import OutboxMail, OutboxStatus
from oglabs.mail.services import queue_mail
from tests.mail.conftest import SmtpServer

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _queue(to: str) -> OutboxMail:
    return queue_mail(to=[to], subject="Hinweis", body="Text", kind="test:notice", now=NOW)


@pytest.mark.django_db
def test_send_outbox_sends_due_mail_after_outage(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # task lost
    _queue("eins@example.org")
    _queue("zwei@example.org")
    smtp_server.start()
    stdout = StringIO()

    call_command("send_outbox", stdout=stdout)

    assert stdout.getvalue() == "Gesendet: 2, später erneut: 0, endgültig fehlgeschlagen: 0\n"
    assert sorted(envelope.rcpt_tos[0] for envelope in smtp_server.envelopes) == [
        "eins@example.org",
        "zwei@example.org",
    ]


@pytest.mark.django_db
def test_send_outbox_smtp_down_reports_retry(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _queue("eins@example.org")
    stdout = StringIO()

    call_command("send_outbox", stdout=stdout)

    assert stdout.getvalue() == "Gesendet: 0, später erneut: 1, endgültig fehlgeschlagen: 0\n"
    assert OutboxMail.objects.values_list("status", "attempts").get() == (OutboxStatus.PENDING, 1)


@pytest.mark.django_db(transaction=True)
def test_db_worker_sends_mail_queued_in_committed_transaction(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    smtp_server.start()
    with transaction.atomic():
        mail = _queue("kommune@example.org")
    assert smtp_server.envelopes == []

    call_command("db_worker", batch=True, no_startup_delay=True, stdout=StringIO(), stderr=StringIO())

    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (OutboxStatus.SENT, 1)
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["kommune@example.org"]]
