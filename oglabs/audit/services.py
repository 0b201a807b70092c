"""Writing the audit log. Every state change in a domain service calls ``record_event`` once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction

from oglabs.audit.chain import GENESIS, event_hash, format_datetime, normalise
from oglabs.audit.models import AuditEvent

#: Label of events without a person acting (imports, scheduled jobs).
SYSTEM_LABEL = "System"

#: How often an append is retried when a concurrent writer took the same sequence number.
#: Only two writers racing for the very first event can collide; see ``_append``.
_APPEND_ATTEMPTS = 3


def record_event(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    data: Mapping[str, Any],
    now: datetime,
) -> AuditEvent:
    """Append one event to the audit log, in the caller's transaction.

    ``target`` is the model instance acted on; for something that is not a model instance pass
    ``target_type`` and ``target_id`` instead. ``data`` holds what is needed to understand the
    change later (old and new state, amounts as ``Decimal``); it must not hold floats.
    """
    if not action:
        raise ValueError("action is required")
    if target is not None:
        if target_type or target_id:
            raise ValueError("pass either target or target_type/target_id")
        if target.pk is None:
            raise ValueError("target must be saved before it is audited")
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    if actor is not None and actor.pk is None:
        raise ValueError("actor must be saved before it is audited")
    fields: dict[str, Any] = {
        "occurred_at": now,
        "actor_id": actor.pk if actor is not None else None,
        "actor_label": actor.get_username() if actor is not None else SYSTEM_LABEL,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "data": normalise(data),
    }
    format_datetime(now)  # refuses a naive ``now`` before anything is written
    for attempt in range(1, _APPEND_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _append(fields)
        except IntegrityError:
            if attempt == _APPEND_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _append(fields: dict[str, Any]) -> AuditEvent:
    """Insert the next event; the caller holds a transaction.

    Writers are serialised by locking the first event (the anchor) before reading the last
    one. Locking the last event itself would not do on PostgreSQL: a writer that waited for
    that lock still sees the same, by then no longer last, event and would take a used number.
    On SQLite, IMMEDIATE transactions already serialise writers. Two writers racing for the
    very first event collide on the unique sequence number; the loser retries.
    """
    list(AuditEvent.objects.select_for_update().filter(sequence=1).values_list("pk", flat=True))
    last = AuditEvent.objects.select_for_update().order_by("-sequence").values("sequence", "hash").first()
    sequence = last["sequence"] + 1 if last is not None else 1
    previous_hash = last["hash"] if last is not None else GENESIS
    event = AuditEvent(sequence=sequence, previous_hash=previous_hash, **fields)
    event.hash = event_hash(previous_hash, {"sequence": sequence, **fields})
    event.save()
    return event
