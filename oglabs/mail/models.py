"""The outbox: every mail is a row first, and is sent after commit by a background task."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("wartet")
    SENT = "sent", _("gesendet")
    FAILED = "failed", _("endgültig fehlgeschlagen")


class OutboxMail(models.Model):
    to = models.JSONField(_("Empfänger"))
    subject = models.CharField(_("Betreff"), max_length=300)
    body = models.TextField(_("Text"))
    html = models.TextField(_("HTML"), blank=True)
    #: Machine-readable purpose, e.g. ``account:email_confirmation`` or ``proposal:receipt``.
    kind = models.CharField(max_length=80)
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Ausgehende E-Mail")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"
