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
    for attempt in range(1, _APPEND_ATTEMPTS + 1):
        # The usual case, in the caller's transaction without a savepoint: ``_chain_tail``
        # made this writer the only one to append.
        with transaction.atomic(savepoint=False):
            tail, exclusive = _chain_tail()
            if exclusive:
                return _insert(fields, tail)
        if tail is None:
            # The log was empty: writers may race for the very first event. It is written in a
            # savepoint, so that the loser of a collision can read again without spoiling the
            # caller's transaction.
            try:
                with transaction.atomic():
                    return _insert(fields, None)
            except IntegrityError:
                if attempt == _APPEND_ATTEMPTS:
                    raise
        # Otherwise the first event was committed between the two reads: read again.
    raise IntegrityError("no lock on the audit log's first event")  # pragma: no cover


def hold_log() -> None:
    """Wait until no other transaction can append to the log, and keep it so until the caller's
    transaction ends: for work that must not interleave with the transaction of any state
    change (``proposals.services.receipts``).

    Appends are serialised anyway (``_chain_tail``): on PostgreSQL by the lock on the first
    event, taken here too; on SQLite by the IMMEDIATE transaction, which already holds the
    database's write lock. An empty log has nothing to lock (the first event of the system is
    recorded when the first call is created, before any proposal exists).
    """
    connection = connections[AuditEvent.objects.db]
    if not connection.in_atomic_block:
        raise RuntimeError("hold_log needs the caller's transaction")
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor:
            cursor.execute(_ANCHOR_SQL)


def _chain_tail() -> tuple[tuple[int, str] | None, bool]:
    """The sequence number and hash of the last event (``None`` for an empty log), and whether
    this writer is now the only one that can append; the caller holds a transaction.

    Writers are serialised by locking the first event (the anchor) before reading the last
    one. Locking the last event itself would not do on PostgreSQL: a writer that waited for
    that lock still sees the same, by then no longer last, event and would take a used number.
    Without an anchor to lock (the first event not committed when it was read) the writer is
    not alone, and then it locks nothing at all, so that it cannot deadlock with the writer
    that holds the anchor. Databases without ``SELECT ... FOR UPDATE`` (SQLite) serialise
    writers by their IMMEDIATE transactions, so there the anchor is not read at all.

    Plain SQL (two short statements on the log's own table): every state change of the
    application passes through here, and the ORM's query building cost several times the
    statements themselves (``docs/performance.md``, the deadline rush).
    """
    connection = connections[AuditEvent.objects.db]
    locking = connection.features.has_select_for_update
    with connection.cursor() as cursor:
        exclusive = True
        if locking:
            cursor.execute(_ANCHOR_SQL)
            exclusive = cursor.fetchone() is not None
        cursor.execute(_TAIL_SQL + (" FOR UPDATE" if locking and exclusive else ""))
        last = cursor.fetchone()
    return ((int(last[0]), str(last[1])) if last is not None else None), exclusive


def _insert(fields: dict[str, Any], tail: tuple[int, str] | None) -> AuditEvent:
    """Insert the event after ``tail`` (or the first event, after the genesis hash)."""
    sequence = tail[0] + 1 if tail is not None else 1
    previous_hash = tail[1] if tail is not None else GENESIS
    event = AuditEvent(sequence=sequence, previous_hash=previous_hash, **fields)
    event.hash = event_hash(previous_hash, {"sequence": sequence, **fields})
    connection = connections[AuditEvent.objects.db]
    values = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in _INSERTED_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, values)
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias
    return event


def _quoted(name: str) -> str:
    """An identifier quoted as the SQL standard (and so SQLite and PostgreSQL) quote it."""
    return '"' + name.replace('"', '""') + '"'


def _sql() -> tuple[str, str, str, list[models.Field[Any, Any]]]:
    """The three statements of an append, from the model's own table and column names."""
    meta = AuditEvent._meta
    table = _quoted(meta.db_table)
    column = {field.name: _quoted(field.column) for field in meta.concrete_fields}
    inserted = [field for field in meta.concrete_fields if not field.primary_key]
    anchor = f"SELECT {column['id']} FROM {table} WHERE {column['sequence']} = 1"  # noqa: S608  # names from the model
    tail = (
        f"SELECT {column['sequence']}, {column['hash']} FROM {table} "  # noqa: S608  # names from the model
        f"ORDER BY {column['sequence']} DESC LIMIT 1"
    )
    insert = (
        f"INSERT INTO {table} ({', '.join(_quoted(field.column) for field in inserted)}) "  # noqa: S608  # names from the model
        f"VALUES ({', '.join(['%s'] * len(inserted))}) RETURNING {column['id']}"
    )
    return anchor + " FOR UPDATE", tail, insert, inserted


_ANCHOR_SQL, _TAIL_SQL, _INSERT_SQL, _INSERTED_FIELDS = _sql()
