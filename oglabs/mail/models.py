"""The outbox: every mail is a row first, and is sent after commit by a background task."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("wartet")
    #: Claimed by one sender; ``next_attempt_at`` is the end of its lease.
    SENDING = "sending", _("wird gesendet")
    SENT = "sent", _("gesendet")
    FAILED = "failed", _("endgültig fehlgeschlagen")


class OutboxMail(models.Model):
    #: Recipient addresses (a list of strings).
    to = models.JSONField(_("Empfänger"))
    subject = models.CharField(_("Betreff"), max_length=300)
    body = models.TextField(_("Text"))
    html = models.TextField(_("HTML"), blank=True)
    #: Machine-readable purpose, e.g. ``account:email_confirmation`` or ``proposal:receipt``.
    kind = models.CharField(_("Art"), max_length=80)
    status = models.CharField(
        _("Status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    #: Delivery attempts started (claims), including the one running.
    attempts = models.PositiveIntegerField(_("Versuche"), default=0)
    last_error = models.TextField(_("Letzter Fehler"), blank=True)
    created_at = models.DateTimeField(_("Angelegt am"))
    sent_at = models.DateTimeField(_("Gesendet am"), null=True, blank=True)
    #: Pending: when it may be tried (again). Sending: when the sender's lease ends.
    next_attempt_at = models.DateTimeField(_("Nächster Versuch am"))

    class Meta:
        verbose_name = _("Ausgehende E-Mail")
        verbose_name_plural = _("Ausgehende E-Mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=OutboxStatus.values), name="outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status=OutboxStatus.SENT, sent_at__isnull=False)
                | (~models.Q(status=OutboxStatus.SENT) & models.Q(sent_at__isnull=True)),
                name="outbox_sent_at_iff_sent",
            ),
            models.CheckConstraint(condition=~models.Q(kind=""), name="outbox_kind_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"


class OutboxAttachment(models.Model):
    mail = models.ForeignKey(OutboxMail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("Dateiname"), max_length=255)
    mimetype = models.CharField(_("Dateityp"), max_length=100)
    content = models.BinaryField(_("Inhalt"), blank=True, default=b"")
    #: For an attachment rendered at delivery (``renderers.py``): the renderer's name and arguments.
    #: ``content`` stays empty until the first delivery attempt renders it.
    renderer = models.CharField(max_length=100, blank=True)
    renderer_arguments = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("Anhang")
        verbose_name_plural = _("Anhänge")
        constraints = [
            models.CheckConstraint(condition=~models.Q(filename=""), name="outbox_attachment_filename"),
        ]

    def __str__(self) -> str:
        return self.filename
