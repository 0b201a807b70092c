"""Canonical JSON and content hashes. Pure: no Django.

The same bytes for the same content on every machine and database: keys sorted, UTF-8, no
whitespace; aware datetimes as ISO 8601 UTC with microseconds; ``Decimal`` and ``date`` as
strings; tuples as lists; floats refused (their text is not stable — use ``Decimal``).
Used for the audit chain, the frozen versions of proposals and the deadline commitment.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeAlias

JSONValue: TypeAlias = bool | int | str | list["JSONValue"] | dict[str, "JSONValue"] | None


def format_datetime(value: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC, always with microseconds."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime cannot be hashed: {value!r}")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalise(value: Any) -> JSONValue:
    """Turn ``value`` into plain JSON values. Normalising twice gives the same result."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise TypeError(f"floats are not canonical, use Decimal or str: {value!r}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite Decimal: {value!r}")
        return str(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    if isinstance(value, Mapping):
        result: dict[str, JSONValue] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"keys must be strings: {key!r}")
            result[key] = normalise(item)
        return result
    raise TypeError(f"cannot be serialised canonically: {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """Canonical JSON of ``value``: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``value``."""
    return sha256_hex(canonical_json(value))
