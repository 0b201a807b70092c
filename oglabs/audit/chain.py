"""The hash chain of the audit log, as a pure algorithm (no Django).

Every event is hashed together with the hash of the event before it, so changing, removing or
reordering any stored event breaks the chain from that point on. The hash is SHA-256 over the
*canonical JSON* of the event's fields plus ``previous_hash``:

* keys sorted, UTF-8, no whitespace (``","`` and ``":"`` as separators);
* aware datetimes as ISO 8601 in UTC with microseconds (``2026-11-26T21:36:40.000000Z``);
* ``Decimal`` and ``date`` as strings; tuples as lists;
* floats are refused: their text is not stable across databases (use ``Decimal``).

What the chain cannot show on its own: that events were cut off at the *end*. Compare the
latest hash with one noted elsewhere for that.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from oglabs.core.canonical import canonical_json, format_datetime, normalise

__all__ = [
    "GENESIS",
    "HASHED_FIELDS",
    "BreakReason",
    "ChainBreak",
    "HashParts",
    "canonical_json",
    "event_hash",
    "format_datetime",
    "hash_parts",
    "hashed_fields",
    "normalise",
    "verify_chain",
]

#: ``previous_hash`` of the first event.
GENESIS = "0" * 64

#: The stored fields that are hashed (besides ``previous_hash``), in the log's own names.
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "data",
)


def event_hash(previous_hash: str, event_fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of one event's fields together with the hash of the event before it."""
    if "previous_hash" in event_fields:
        raise ValueError("previous_hash is passed separately")
    document = {**event_fields, "previous_hash": previous_hash}
    return hashlib.sha256(canonical_json(document)).hexdigest()


@dataclass(frozen=True)
class HashParts:
    """The canonical document of an event (``event_hash``) around its two chained values.

    The document's bytes are ``prefix + previous_hash + middle + str(sequence) + suffix``: with
    sorted keys, ``previous_hash`` and ``sequence`` stand side by side, after ``occurred_at``
    and before ``target_id``. So whoever knows the tail of the chain — the database, in the
    statement that appends (``services.record_event``) — can hash the event without the rest of
    it being worked out again.
    """

    prefix: bytes
    middle: bytes
    suffix: bytes

    def document(self, previous_hash: str, sequence: int) -> bytes:
        return (
            self.prefix
            + previous_hash.encode("ascii")
            + self.middle
            + str(sequence).encode("ascii")
            + self.suffix
        )


def hash_parts(event_fields: Mapping[str, Any]) -> HashParts:
    """The parts of an event's canonical document around ``previous_hash`` and ``sequence``
    (neither of which ``event_fields`` may hold; no other key may sort between them)."""
    for name in ("previous_hash", "sequence"):
        if name in event_fields:
            raise ValueError(f"{name} is filled in by the chain")
    between = [key for key in event_fields if "previous_hash" < key < "sequence"]
    if between:
        raise ValueError(f"keys would sort between previous_hash and sequence: {between}")
    before = canonical_json({key: value for key, value in event_fields.items() if key < "previous_hash"})
    after = canonical_json({key: value for key, value in event_fields.items() if key > "sequence"})
    return HashParts(
        prefix=before[:-1] + (b"," if len(before) > 2 else b"") + b'"previous_hash":"',
        middle=b'","sequence":',
        suffix=(b"," + after[1:]) if len(after) > 2 else b"}",
    )


def hashed_fields(event: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a stored event that goes into its hash."""
    missing = [name for name in HASHED_FIELDS if name not in event]
    if missing:
        raise KeyError(f"event lacks fields: {', '.join(missing)}")
    return {name: event[name] for name in HASHED_FIELDS}


class BreakReason(enum.Enum):
    #: The sequence number is not the one expected (an event is missing or out of order).
    GAP = "gap"
    #: ``previous_hash`` is not the hash of the event before.
    WRONG_PREVIOUS_HASH = "wrong_previous_hash"
    #: The stored hash does not match the stored fields (the event was changed).
    HASH_MISMATCH = "hash_mismatch"


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain is broken."""

    #: 0-based position in the sequence of events checked.
    position: int
    #: The sequence number stored in the broken event.
    sequence: int
    reason: BreakReason
    #: What the event should hold (sequence number or hash, as text) and what it holds.
    expected: str
    found: str


def verify_chain(events: Iterable[Mapping[str, Any]]) -> ChainBreak | None:
    """Check events (dicts with ``HASHED_FIELDS``, ``previous_hash`` and ``hash``) in order.

    The first event must have sequence number 1 and ``previous_hash == GENESIS``; each next one
    the following number and the hash of the one before. Returns the first break, or ``None``
    if the chain is intact. Consumes ``events`` lazily, so it can check a stream of any length.
    """
    expected_sequence = 1
    expected_previous = GENESIS
    for position, event in enumerate(events):
        sequence = event["sequence"]
        if sequence != expected_sequence:
            return ChainBreak(position, sequence, BreakReason.GAP, str(expected_sequence), str(sequence))
        if event["previous_hash"] != expected_previous:
            return ChainBreak(
                position, sequence, BreakReason.WRONG_PREVIOUS_HASH, expected_previous, event["previous_hash"]
            )
        computed = event_hash(event["previous_hash"], hashed_fields(event))
        if event["hash"] != computed:
            return ChainBreak(position, sequence, BreakReason.HASH_MISMATCH, computed, event["hash"])
        expected_sequence = sequence + 1
        expected_previous = event["hash"]
    return None
