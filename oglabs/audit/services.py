"""Writing the audit log. Every state change in a domain service calls ``record_event`` once."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from oglabs.audit.chain import GENESIS, HashParts, hash_parts, normalise
from oglabs.audit.models import AuditChainHead, AuditEvent

#: SQLite's name for the hash function of ``_append`` (registered by ``apps.AuditConfig``).
SQLITE_SHA256 = "oglabs_audit_sha256"

#: Label of events without a person acting (imports, scheduled jobs).
SYSTEM_LABEL = "System"


@dataclass(frozen=True)
class PendingEvent:
    """An event checked and ready to be appended: its fields, the parts of its canonical
    document around the chained values (``chain.HashParts``) and its column values."""

    fields: dict[str, Any]
    parts: HashParts
    values: list[Any]

    @property
    def params(self) -> list[Any]:
        """The parameters of ``append_ctes``'s SQL, in order."""
        return [self.parts.prefix, self.parts.middle, self.parts.suffix, *self.values]

    def appended(self, pk: int, sequence: int, previous_hash: str, hash_: str) -> AuditEvent:
        """The event as the database stored it."""
        event = AuditEvent(pk=pk, sequence=sequence, previous_hash=previous_hash, hash=hash_, **self.fields)
        event._state.adding = False
        event._state.db = AuditEvent.objects.db
        return event


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
    pending = pending_event(
        actor=actor,
        action=action,
        target=target,
        target_type=target_type,
        target_id=target_id,
        data=data,
        now=now,
    )
    return append_event(pending)


def append_event(pending: PendingEvent) -> AuditEvent:
    """Append an event made ready by ``pending_event``, in the caller's transaction (a
    transaction of its own outside one)."""
    connection = connections[AuditEvent.objects.db]
    # Without a savepoint in the caller's transaction; a transaction of its own without one.
    with transaction.atomic(using=connection.alias, savepoint=False):
        appended = _append(connection, pending)
        if appended is None:  # no head row (a database emptied by hand or by a test): written back
            restore_head()
            appended = _append(connection, pending)
    assert appended is not None
    return pending.appended(*appended)


def pending_event(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    data: Mapping[str, Any],
    now: datetime,
) -> PendingEvent:
    """The event of ``record_event``, checked (raises before anything is written) and ready to
    be appended — by ``record_event``, or on PostgreSQL by a statement of the caller's that
    includes ``append_ctes``."""
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
    parts = hash_parts(fields)  # also refuses a naive ``now`` or a float
    connection = connections[AuditEvent.objects.db]
    values = [field.get_db_prep_save(fields[field.attname], connection) for field in _SUPPLIED_FIELDS]
    return PendingEvent(fields=fields, parts=parts, values=values)


def append_ctes(*, after: str = "") -> str:
    """PostgreSQL: two data-modifying CTEs that append a ``PendingEvent`` (its ``params``, in
    this order): ``audit_head`` moves the chain's head on, ``audit_event`` inserts the event and
    returns (id, sequence, previous hash, hash). With ``after`` (the name of an earlier CTE of
    the same statement) nothing is appended unless that CTE returned a row.

    A caller whose state change is one statement appends its event in that statement: in
    autocommit the head's lock is then taken and released inside the database, without a round
    trip in between (``proposals.services.submission``)."""
    if after and not after.isidentifier():
        raise ValueError(f"not the name of a CTE: {after!r}")
    condition = f" AND EXISTS (SELECT 1 FROM {after})" if after else ""  # noqa: S608  # an identifier, checked
    return _postgresql_ctes(AuditEvent.objects.db).replace("{condition}", condition)


def hold_log() -> None:
    """Wait until no other transaction can append to the log, and keep it so until the caller's
    transaction ends: for work that must not interleave with the transaction of any state
    change (``proposals.services.receipts``).

    Appends are serialised by the lock on the chain's head (``_append``), taken here too; on
    SQLite the IMMEDIATE transaction already holds the database's write lock.
    """
    connection = connections[AuditEvent.objects.db]
    if not connection.in_atomic_block:
        raise RuntimeError("hold_log needs the caller's transaction")
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_HEAD_SQL)
            if cursor.fetchone() is None:
                restore_head()
                cursor.execute(_LOCK_HEAD_SQL)


def _append(connection: BaseDatabaseWrapper, pending: PendingEvent) -> tuple[Any, ...] | None:
    """Move the chain's head on and insert the event after it: (id, sequence, previous hash,
    hash), or ``None`` if there is no head row (nothing written).

    The head's UPDATE waits for the row's lock and then works on the newest head (READ
    COMMITTED re-reads a row it waited for), so concurrent appends follow each other without a
    read of the tail; the database hashes the event from ``parts`` and the head's hash and
    number, and keeps the lock until the caller's transaction ends. On PostgreSQL the head and
    the event are written by one statement (the event in the head's data-modifying CTE), so the
    lock is held for the commit's round trip only; SQLite (one writer at a time anyway) runs
    the two one after the other. Plain SQL: every state change of the application passes
    through here (ADR 0010).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_postgresql_append_sql(connection.alias), pending.params)
            return cursor.fetchone()
        parts = pending.parts
        cursor.execute(_APPEND_SQL["head"], [parts.prefix, parts.middle, parts.suffix])
        head = cursor.fetchone()
        if head is None:
            return None
        sequence, previous_hash, hash_ = head
        cursor.execute(_APPEND_SQL["event"], [sequence, *pending.values, previous_hash, hash_])
        return (cursor.fetchone()[0], sequence, previous_hash, hash_)


@functools.cache
def _postgresql_ctes(alias: str) -> str:
    """``append_ctes`` with each supplied value cast to its column's type (an INSERT … SELECT
    does not infer the types of its parameters as a VALUES list does); ``{condition}`` open."""
    connection = connections[alias]
    casts = ", ".join(f"%s::{field.db_type(connection)}" for field in _SUPPLIED_FIELDS)
    return _APPEND_SQL["postgresql"].replace("{casts}", casts)


@functools.cache
def _postgresql_append_sql(alias: str) -> str:
    """``record_event``'s statement on PostgreSQL: the two CTEs alone, built once."""
    return f"WITH {_postgresql_ctes(alias).replace('{condition}', '')} SELECT * FROM audit_event"  # noqa: S608  # names from the models


def restore_head() -> None:
    """Write the head row back from the log's last event (or the genesis of an empty log);
    nothing if another transaction wrote it meanwhile. For a database emptied without its
    migrations (a test's flush, a restore of the events alone)."""
    connection = connections[AuditEvent.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(_LAST_EVENT_SQL)
        last = cursor.fetchone() or (0, GENESIS, GENESIS)
        cursor.execute(_RESTORE_HEAD_SQL, list(last))


def _quoted(name: str) -> str:
    """An identifier quoted as the SQL standard (and so SQLite and PostgreSQL) quote it."""
    return '"' + name.replace('"', '""') + '"'


#: The event's columns that the caller supplies (the chain fills in the rest).
_SUPPLIED_FIELDS = [
    field
    for field in AuditEvent._meta.concrete_fields
    if not field.primary_key and field.name not in ("sequence", "previous_hash", "hash")
]


def _sql() -> tuple[dict[str, str], str, str, str]:
    """The statements of an append, from the models' table and column names."""
    event, head = AuditEvent._meta, AuditChainHead._meta
    events, heads = _quoted(event.db_table), _quoted(head.db_table)
    ec = {field.name: _quoted(field.column) for field in event.concrete_fields}
    hc = {field.name: _quoted(field.column) for field in head.concrete_fields}
    seq, prev, hsh = hc["sequence"], hc["previous_hash"], hc["hash"]
    moved = f"UPDATE {heads} SET {seq} = {seq} + 1, {prev} = {hsh}, {hsh} = {{digest}} WHERE {hc['id']} = 1"  # noqa: S608  # names from the models
    returned = f"RETURNING {seq}, {prev}, {hsh}"
    supplied = [ec[field.name] for field in _SUPPLIED_FIELDS]
    columns = ", ".join([ec["sequence"], *supplied, ec["previous_hash"], ec["hash"]])
    out = f"RETURNING {ec['id']}, {ec['sequence']}, {ec['previous_hash']}, {ec['hash']}"
    # SHA-256 of prefix, head hash, middle, next number, suffix (``chain.HashParts``), in hex.
    pg_digest = (
        f"encode(sha256(%s::bytea || convert_to({hsh}, 'UTF8') || %s::bytea"
        f" || convert_to(({seq} + 1)::text, 'UTF8') || %s::bytea), 'hex')"
    )
    sqlite_digest = f"{SQLITE_SHA256}(%s, {hsh}, %s, {seq} + 1, %s)"
    statements = {
        "postgresql": (
            f"audit_head AS ({moved.format(digest=pg_digest)}{{condition}} {returned}), "  # noqa: S608  # names from the models
            f"audit_event AS (INSERT INTO {events} ({columns}) "
            f"SELECT audit_head.{seq}, {{casts}}, "
            f"audit_head.{prev}, audit_head.{hsh} FROM audit_head {out})"
        ),
        "head": f"{moved.format(digest=sqlite_digest)} {returned}",
        "event": (
            f"INSERT INTO {events} ({columns}) VALUES ({', '.join(['%s'] * (len(supplied) + 3))}) "  # noqa: S608  # names from the models
            f"RETURNING {ec['id']}"
        ),
    }
    lock = f"SELECT {hc['id']} FROM {heads} WHERE {hc['id']} = 1 FOR UPDATE"  # noqa: S608  # names from the models
    last = f"SELECT {ec['sequence']}, {ec['hash']}, {ec['previous_hash']} FROM {events} ORDER BY {ec['sequence']} DESC LIMIT 1"  # noqa: S608  # names from the models
    restore = (
        f"INSERT INTO {heads} ({hc['id']}, {seq}, {hsh}, {prev}) VALUES (1, %s, %s, %s) "  # noqa: S608  # names from the models
        f"ON CONFLICT ({hc['id']}) DO NOTHING"
    )
    return statements, lock, last, restore


_APPEND_SQL, _LOCK_HEAD_SQL, _LAST_EVENT_SQL, _RESTORE_HEAD_SQL = _sql()
