"""Writing the audit log. Every state change in a domain service calls ``record_event`` once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connections, models, transaction

from oglabs.audit.chain import GENESIS, event_hash, format_datetime, normalise
from oglabs.audit.models import AuditEvent

#: Label of events without a person acting (imports, scheduled jobs).
SYSTEM_LABEL = "System"

#: How often an append is retried when a concurrent writer took the same sequence number.
#: Only two writers racing for the very first event can collide; see ``_chain_tail``.
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
    # The usual case, in the caller's transaction without a savepoint: the log has events, and
    # the lock taken in ``_chain_tail`` makes this writer the only one to append.
    with transaction.atomic(savepoint=False):
        tail = _chain_tail()
        if tail is not None:
            return _insert(fields, tail)
    # The log is empty: two writers may race for the very first event; the loser retries.
    for attempt in range(1, _APPEND_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _insert(fields, _chain_tail())
        except IntegrityError:
            if attempt == _APPEND_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _chain_tail() -> tuple[int, str] | None:
    """The sequence number and hash of the last event, locked for appending; the caller holds a
    transaction.

    Writers are serialised by locking the first event (the anchor) before reading the last
    one. Locking the last event itself would not do on PostgreSQL: a writer that waited for
    that lock still sees the same, by then no longer last, event and would take a used number.
    Databases without ``SELECT ... FOR UPDATE`` (SQLite) serialise writers by their IMMEDIATE
    transactions, so there the anchor is not read at all. Two writers racing for the very first
    event (no anchor yet) collide on the unique sequence number.
    """
    if connections[AuditEvent.objects.db].features.has_select_for_update:
        list(AuditEvent.objects.select_for_update().filter(sequence=1).values_list("pk", flat=True))
    last = (
        AuditEvent.objects.select_for_update().order_by("-sequence").values_list("sequence", "hash").first()
    )
    return (last[0], last[1]) if last is not None else None


def _insert(fields: dict[str, Any], tail: tuple[int, str] | None) -> AuditEvent:
    """Insert the event after ``tail`` (or the first event, after the genesis hash)."""
    sequence = tail[0] + 1 if tail is not None else 1
    previous_hash = tail[1] if tail is not None else GENESIS
    event = AuditEvent(sequence=sequence, previous_hash=previous_hash, **fields)
    event.hash = event_hash(previous_hash, {"sequence": sequence, **fields})
    event.save()
    return event
