"""Reading the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models

from oglabs.audit.chain import HASHED_FIELDS
from oglabs.audit.models import AuditEvent, AuditEventQuerySet


def events_for_target(target: models.Model) -> AuditEventQuerySet:
    """The events about one object, oldest first."""
    return events_for(target_type=target._meta.label_lower, target_id=str(target.pk))


def events_for(*, target_type: str, target_id: str) -> AuditEventQuerySet:
    """The events about the object ``target_type``/``target_id``, oldest first."""
    return (
        AuditEvent.objects.filter(target_type=target_type, target_id=target_id)
        .select_related("actor")
        .order_by("sequence")
    )


def latest_events(*, limit: int = 50) -> AuditEventQuerySet:
    """The newest ``limit`` events, newest first."""
    return AuditEvent.objects.select_related("actor").order_by("-sequence")[:limit]


def chain_entries(*, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    """All events as plain dicts for ``chain.verify_chain``, streamed in sequence order."""
    return (
        AuditEvent.objects.order_by("sequence")
        .values(*HASHED_FIELDS, "previous_hash", "hash")
        .iterator(chunk_size=chunk_size)
    )
