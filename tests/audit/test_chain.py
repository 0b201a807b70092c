"""The hash chain as a pure algorithm: canonical form, hashing, and tamper detection."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from oglabs.audit.chain import (
    GENESIS,
    BreakReason,
    ChainBreak,
    canonical_json,
    event_hash,
    hash_parts,
    normalise,
    verify_chain,
)

BERLIN_WINTER = timezone(timedelta(hours=1))


def _chain(length: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    previous = GENESIS
    for sequence in range(1, length + 1):
        fields = {
            "sequence": sequence,
            "occurred_at": datetime(2026, 3, 1, 9, 0, sequence, tzinfo=UTC),
            "actor_id": 7,
            "actor_label": "staff@example.org",
            "action": "call.changed",
            "target_type": "calls.call",
            "target_id": "1",
            "data": {"step": sequence, "budget": "1000000.00"},
        }
        current = event_hash(previous, fields)
        events.append({**fields, "previous_hash": previous, "hash": current})
        previous = current
    return events


def test_canonical_json_sorted_compact_utf8() -> None:
    value = {"b": [1, (2, None)], "a": "Förderaufruf", "c": {"z": True, "y": False}}

    assert canonical_json(value) == '{"a":"Förderaufruf","b":[1,[2,null]],"c":{"y":false,"z":true}}'.encode()


def test_canonical_json_datetime_utc_with_microseconds() -> None:
    value = {"at": datetime(2026, 3, 1, 10, 0, tzinfo=BERLIN_WINTER), "on": date(2026, 3, 1)}

    assert canonical_json(value) == b'{"at":"2026-03-01T09:00:00.000000Z","on":"2026-03-01"}'


def test_canonical_json_decimal_as_string() -> None:
    assert canonical_json({"amount": Decimal("1250000.50")}) == b'{"amount":"1250000.50"}'


def test_normalise_is_idempotent() -> None:
    value = {"at": datetime(2026, 3, 1, 9, 0, 0, 1, tzinfo=UTC), "amount": Decimal("1.10"), "list": (1, "x")}

    assert normalise(normalise(value)) == normalise(value)
    assert normalise(value) == {"at": "2026-03-01T09:00:00.000001Z", "amount": "1.10", "list": [1, "x"]}


@pytest.mark.parametrize(
    "value",
    [1.5, datetime(2026, 3, 1, 9, 0), {1: "x"}, {"x": {1, 2}}, Decimal("NaN")],
)
def test_normalise_rejects_non_canonical_values(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        normalise(value)


def test_event_hash_is_sha256_of_canonical_document() -> None:
    fields = {"sequence": 1, "action": "call.created"}
    expected = hashlib.sha256(
        b'{"action":"call.created","previous_hash":"' + GENESIS.encode() + b'","sequence":1}'
    ).hexdigest()

    assert event_hash(GENESIS, fields) == expected


def test_event_hash_depends_on_previous_hash() -> None:
    fields = {"sequence": 2, "action": "call.created"}

    assert event_hash(GENESIS, fields) != event_hash("f" * 64, fields)


def test_verify_chain_intact() -> None:
    assert verify_chain(_chain(5)) is None


def test_verify_chain_empty_is_intact() -> None:
    assert verify_chain([]) is None


def test_verify_chain_changed_data_is_hash_mismatch() -> None:
    events = _chain(5)
    events[2]["data"] = {"step": 3, "budget": "9000000.00"}

    result = verify_chain(events)

    assert result == ChainBreak(
        position=2,
        sequence=3,
        reason=BreakReason.HASH_MISMATCH,
        expected=event_hash(events[1]["hash"], {k: v for k, v in events[2].items() if "hash" not in k}),
        found=events[2]["hash"],
    )


def test_verify_chain_changed_data_with_recomputed_hash_breaks_next_link() -> None:
    events = _chain(5)
    events[2]["data"] = {"step": 3, "budget": "9000000.00"}
    events[2]["hash"] = event_hash(
        events[2]["previous_hash"], {k: v for k, v in events[2].items() if "hash" not in k}
    )

    result = verify_chain(events)

    assert result is not None
    assert (result.sequence, result.reason) == (4, BreakReason.WRONG_PREVIOUS_HASH)


def test_verify_chain_changed_previous_hash() -> None:
    events = _chain(4)
    events[1]["previous_hash"] = "a" * 64

    result = verify_chain(events)

    assert result == ChainBreak(1, 2, BreakReason.WRONG_PREVIOUS_HASH, events[0]["hash"], "a" * 64)


def test_verify_chain_first_event_must_start_at_genesis() -> None:
    events = _chain(2)
    events[0]["previous_hash"] = "b" * 64

    result = verify_chain(events)

    assert result == ChainBreak(0, 1, BreakReason.WRONG_PREVIOUS_HASH, GENESIS, "b" * 64)


def test_verify_chain_deleted_event_is_gap() -> None:
    events = _chain(5)
    del events[2]

    assert verify_chain(events) == ChainBreak(2, 4, BreakReason.GAP, "3", "4")


def test_verify_chain_deleted_first_event_is_gap() -> None:
    events = _chain(3)[1:]

    assert verify_chain(events) == ChainBreak(0, 2, BreakReason.GAP, "1", "2")


def test_verify_chain_reordered_events() -> None:
    events = _chain(4)
    events[1], events[2] = events[2], events[1]

    assert verify_chain(events) == ChainBreak(1, 3, BreakReason.GAP, "2", "3")


def test_verify_chain_reordered_and_renumbered_events() -> None:
    events = _chain(4)
    events[1], events[2] = events[2], events[1]
    events[1]["sequence"], events[2]["sequence"] = 2, 3

    result = verify_chain(events)

    assert result is not None
    assert (result.position, result.sequence, result.reason) == (1, 2, BreakReason.WRONG_PREVIOUS_HASH)


def test_verify_chain_changed_actor_is_hash_mismatch() -> None:
    events = _chain(3)
    events[0]["actor_id"] = 8

    result = verify_chain(events)

    assert result is not None
    assert (result.sequence, result.reason) == (1, BreakReason.HASH_MISMATCH)


def test_verify_chain_consumes_lazily() -> None:
    consumed: list[int] = []
    events = _chain(5)
    events[1]["data"] = {}

    def stream() -> Iterator[dict[str, Any]]:
        for event in events:
            consumed.append(event["sequence"])
            yield event

    verify_chain(stream())

    assert consumed == [1, 2]


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"action": "call.created"},
        {"target_type": "calls.call"},
        {
            "occurred_at": datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
            "actor_id": None,
            "actor_label": 'Zoë „Prüferin“ "quoted" \\ back',
            "action": "proposal.submitted",
            "target_type": "proposals.proposal",
            "target_id": "17",
            "data": {"z": [1, "ä"], "a": {"previous_hash": "x", "sequence": 3}, "amount": Decimal("1.50")},
        },
    ],
)
def test_hash_parts_around_the_chained_values_give_the_canonical_document(fields: dict[str, object]) -> None:
    """What the database hashes when it appends (the parts with the tail's hash and the next
    number) is byte for byte the document of ``event_hash``."""
    parts = hash_parts(fields)
    document = parts.document("ab" * 32, 4711)

    assert document == canonical_json({**fields, "previous_hash": "ab" * 32, "sequence": 4711})
    assert hashlib.sha256(document).hexdigest() == event_hash("ab" * 32, {**fields, "sequence": 4711})


@pytest.mark.parametrize("fields", [{"sequence": 1}, {"previous_hash": GENESIS}, {"reason": "x"}])
def test_hash_parts_refuse_the_chained_values_and_keys_between_them(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"filled in by the chain|sort between"):
        hash_parts(fields)
