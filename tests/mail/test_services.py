"""queue_mail: the outbox row is written in the caller's transaction and sent after commit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail as django_mail
from django.db import transaction
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from oglabs.mail.models import OutboxAttachment, OutboxMail, OutboxStatus
from oglabs.mail.services import InvalidMail, MailAttachment, queue_mail

#: Earlier than the clock the task reads, so the mail is due at once.
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


def _queue(**overrides: object) -> OutboxMail:
    arguments: dict[str, object] = {
        "to": ["kommune@example.org"],
        "subject": "Eingangsbestätigung Ihrer Interessenbekundung",
        "body": "Vielen Dank, Ihre Interessenbekundung ist eingegangen.",
        "kind": "proposal:receipt",
        "now": NOW,
    }
    arguments.update(overrides)
    return queue_mail(**arguments)  # type: ignore[arg-type]  # the test varies the arguments


@pytest.mark.django_db
def test_queue_mail_stores_pending_row_due_now() -> None:
    mail = _queue(
        html="<p>Vielen Dank</p>", attachments=[MailAttachment("skizze.pdf", PDF, "application/pdf")]
    )

    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.created_at, mail.next_attempt_at) == (
        OutboxStatus.PENDING,
        0,
        NOW,
        NOW,
    )
    assert mail.to == ["kommune@example.org"]
    assert mail.html == "<p>Vielen Dank</p>"
    assert [
        (a.filename, a.mimetype, bytes(a.content)) for a in OutboxAttachment.objects.filter(mail=mail)
    ] == [("skizze.pdf", "application/pdf", PDF)]


@pytest.mark.django_db
def test_queue_mail_sent_after_commit_with_html_and_attachment(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mail = _queue(
            html="<p>Vielen Dank</p>", attachments=[MailAttachment("skizze.pdf", PDF, "application/pdf")]
        )
        assert django_mail.outbox == []

    mail.refresh_from_db()
    assert len(callbacks) == 1
    assert (mail.status, mail.attempts, mail.last_error) == (OutboxStatus.SENT, 1, "")
    [sent] = django_mail.outbox
    assert sent.to == ["kommune@example.org"]
    assert sent.subject == "Eingangsbestätigung Ihrer Interessenbekundung"
    assert sent.body == "Vielen Dank, Ihre Interessenbekundung ist eingegangen."
    assert sent.alternatives == [("<p>Vielen Dank</p>", "text/html")]
    assert sent.attachments == [("skizze.pdf", PDF, "application/pdf")]
    assert sent.extra_headers["Message-ID"].startswith(f"<outbox.{mail.pk}.20250303090000@")


@pytest.mark.django_db
def test_queue_mail_rolled_back_is_never_sent(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _queue()
        raise RuntimeError("the caller failed")

    assert callbacks == []
    assert OutboxMail.objects.count() == 0
    assert django_mail.outbox == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"to": []}, "at least one recipient"),
        ({"to": "kommune@example.org"}, "at least one recipient"),
        ({"to": ["keine-adresse"]}, "not an e-mail address: 'keine-adresse'"),
        ({"subject": "Betreff\nBcc: alle@example.org"}, "the subject must be one line"),
        ({"kind": ""}, "kind is required"),
        ({"attachments": [MailAttachment("", PDF, "application/pdf")]}, "every attachment needs a file name"),
    ],
)
@pytest.mark.django_db
def test_queue_mail_invalid_rejected_and_nothing_stored(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidMail, match=message):
        _queue(**overrides)

    assert OutboxMail.objects.count() == 0
