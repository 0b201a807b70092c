"""Attachments rendered at delivery: once, by the registered renderer, outside the request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail as django_mail

from oglabs.mail.delivery import DeliveryOutcome, attachment_bytes, deliver_mail
from oglabs.mail.models import OutboxAttachment, OutboxMail
from oglabs.mail.renderers import attachment_renderer
from oglabs.mail.services import InvalidMail, MailAttachment, queue_mail

NOW = dt.datetime(2019, 10, 31, 22, 0, tzinfo=dt.UTC)
CALLS: list[dict[str, object]] = []


@attachment_renderer("tests.greeting")
def render_greeting(name: str) -> bytes:
    CALLS.append({"name": name})
    return f"Hallo {name}".encode()


@pytest.fixture(autouse=True)
def _reset_calls():  # type: ignore[no-untyped-def]
    CALLS.clear()


def _queue() -> int:
    queued = queue_mail(
        to=["lab@example.org"],
        subject="Eingangsbestätigung",
        body="Anbei.",
        kind="test:deferred",
        now=NOW,
        attachments=[
            MailAttachment.deferred(
                "gruss.txt", "text/plain", renderer="tests.greeting", arguments={"name": "Havelland"}
            )
        ],
    )
    return queued.pk


@pytest.mark.django_db
def test_deferred_attachment_is_not_rendered_when_queued():
    _queue()
    assert CALLS == []
    assert bytes(OutboxAttachment.objects.get().content) == b""


@pytest.mark.django_db
def test_deferred_attachment_is_rendered_at_delivery_and_kept(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail_id = _queue()
    assert OutboxMail.objects.get(pk=mail_id).status == "pending"  # on_commit never ran: test transaction
    assert deliver_mail(mail_id, now=NOW).outcome == DeliveryOutcome.SENT
    assert django_mail.outbox[0].attachments[0][:2] == ("gruss.txt", "Hallo Havelland")
    assert CALLS == [{"name": "Havelland"}]
    stored = OutboxAttachment.objects.get()
    assert bytes(stored.content) == b"Hallo Havelland"
    assert attachment_bytes(stored) == b"Hallo Havelland"
    assert CALLS == [{"name": "Havelland"}]


def test_unknown_renderer_is_refused_when_queued():
    with pytest.raises(InvalidMail, match=r"no attachment renderer registered as 'tests\.nope'"):
        queue_mail(
            to=["lab@example.org"],
            subject="x",
            body="x",
            kind="test:deferred",
            now=NOW,
            attachments=[
                MailAttachment.deferred("x.pdf", "application/pdf", renderer="tests.nope", arguments={})
            ],
        )
