"""The audit log: append-only, hash-chained events. Written only by ``services.record_event``."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    """An audit event was to be changed or deleted; the log only grows."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events are appended one by one through record_event")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be updated")


AuditEventManager = models.Manager.from_queryset(AuditEventQuerySet)


class AuditEvent(models.Model):
    #: 1, 2, 3 … without gaps; the order of the chain.
    sequence = models.PositiveBigIntegerField(_("Nr."), unique=True)
    occurred_at = models.DateTimeField(_("Zeitpunkt"))
    #: ``None`` for the system itself (imports, scheduled jobs).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Handelnde Person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: How the actor was shown when the event happened (kept if the account changes).
    actor_label = models.CharField(_("Handelnd (Anzeige)"), max_length=254, blank=True)
    #: ``<thing>.<verb in past tense>``, e.g. ``call.created``, ``proposal.submitted``.
    action = models.CharField(_("Aktion"), max_length=100)
    #: ``app_label.model`` of the object acted on, e.g. ``calls.call``; empty if none.
    target_type = models.CharField(_("Objekttyp"), max_length=100, blank=True)
    target_id = models.CharField(_("Objekt-ID"), max_length=64, blank=True)
    data = models.JSONField(_("Daten"), default=dict, blank=True)
    previous_hash = models.CharField(_("Vorheriger Hash"), max_length=64)
    hash = models.CharField(_("Hash"), max_length=64, unique=True)

    objects = AuditEventManager()

    class Meta:
        verbose_name = _("Audit-Ereignis")
        verbose_name_plural = _("Audit-Ereignisse")
        constraints = [
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="audit_sequence_positive"),
            # One successor per event: a forked chain cannot be stored.
            models.UniqueConstraint(fields=["previous_hash"], name="audit_previous_hash_unique"),
            models.CheckConstraint(condition=Exact(Length("hash"), 64), name="audit_hash_length"),
            models.CheckConstraint(
                condition=Exact(Length("previous_hash"), 64), name="audit_previous_hash_length"
            ),
            models.CheckConstraint(condition=~models.Q(action=""), name="audit_action_not_empty"),
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id", "sequence"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit events cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """The end of the chain, in one row: the last event's number and hash (0 and ``GENESIS``
    while the log is empty) and the hash before it.

    Every append moves the head on in the same statement that hashes the new event
    (``services.record_event``): the row's lock is what serialises appends, and the database
    reads the newest head when it takes that lock. Derived from the log (the events hold every
    number and hash); ``services`` writes it back from the log's last event if it is missing.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(_("Nr. des letzten Ereignisses"), default=0)
    hash = models.CharField(_("Hash des letzten Ereignisses"), max_length=64)
    previous_hash = models.CharField(_("Hash davor"), max_length=64)

    class Meta:
        verbose_name = _("Ende der Audit-Kette")
        verbose_name_plural = _("Ende der Audit-Kette")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_single_row")]

    def __str__(self) -> str:
        return f"#{self.sequence}"
