"""The exchange format: its JSON Schema, German messages for schema errors, value conversions."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from oglabs.calls.timeline import BERLIN

FORMAT = "oglabs-proposals"
VERSION = 1
SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "schemas" / "proposals-v1.schema.json"

#: German explanation of each pattern in the schema, by the name of its definition.
_PATTERN_MESSAGES = {
    "slug": "Erwartet wird eine Kurzbezeichnung aus Buchstaben, Ziffern, „-“ und „_“.",
    "reference": "Erwartet wird eine Kennung aus Buchstaben, Ziffern und „.-_/“, z. B. „OGL-2019-0007“.",
    "municipality_key": "Erwartet wird ein Gemeindeschlüssel aus 12 (ARS), 8 (AGS) oder 5 (Kreis) Ziffern.",
    "amount": "Erwartet wird ein Betrag in Euro als Text, z. B. „12500.00“.",
    "date": "Erwartet wird ein Datum der Form JJJJ-MM-TT.",
    "datetime": "Erwartet wird ein Zeitpunkt nach ISO 8601 mit Zeitzone, z. B. „2019-10-30T14:05:00+01:00“.",
    "email": "Erwartet wird eine E-Mail-Adresse.",
}

_TYPE_NAMES = {
    "string": "ein Text",
    "integer": "eine ganze Zahl",
    "number": "eine Zahl",
    "boolean": "true oder false",
    "array": "eine Liste",
    "object": "ein Objekt",
    "null": "null",
}


@functools.cache
def load_schema() -> dict[str, Any]:
    """The JSON Schema of version 1 (draft 2020-12)."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


@functools.cache
def _pattern_messages() -> dict[str, str]:
    definitions = load_schema()["$defs"]
    return {definitions[name]["pattern"]: message for name, message in _PATTERN_MESSAGES.items()}


def field_path(parts: Sequence[str | int]) -> str:
    """A dotted path; list positions count from 1 (``partners.2.name``), as in the form."""
    return ".".join(str(part + 1) if isinstance(part, int) else part for part in parts)


def _quote(value: Any) -> str:
    return f"„{value}“"


def _messages(error: ValidationError) -> Iterator[tuple[list[str | int], str]]:
    """(path, German message) for one schema error."""
    path: list[str | int] = list(error.absolute_path)
    # The stubs type these as ``Any | Unset``; a reported error always has them set.
    validator: Any = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance
    subschema: Any = error.schema
    if validator == "required":
        for name in expected:
            if isinstance(instance, Mapping) and name not in instance:
                yield [*path, name], "Diese Angabe fehlt."
    elif validator == "additionalProperties":
        known = set(subschema.get("properties", {}))
        for name in instance:
            if name not in known:
                yield [*path, name], "Dieses Feld ist im Format nicht vorgesehen."
    elif validator == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        yield path, "Erwartet wird " + " oder ".join(_TYPE_NAMES.get(n, n) for n in names) + "."
    elif validator == "enum":
        allowed = ", ".join(_quote(value) for value in expected)
        yield path, f"Unzulässiger Wert {_quote(instance)}; erlaubt: {allowed}."
    elif validator == "const":
        yield path, f"Erwartet wird {_quote(expected)}."
    elif validator == "pattern":
        yield path, _pattern_messages().get(expected, "Das Format dieser Angabe ist ungültig.")
    elif validator == "maxLength":
        yield path, f"Höchstens {expected} Zeichen."
    elif validator == "minimum":
        yield path, f"Der Wert muss mindestens {expected} sein."
    elif validator == "maximum":
        yield path, f"Der Wert darf höchstens {expected} sein."
    elif validator == "anyOf":
        # A nullable value: report what the non-null alternative expects.
        inner = [e for e in error.context or [] if e.validator != "type" or e.validator_value != "null"]
        if inner:
            for sub in inner:
                yield from _messages(sub)
        else:
            yield path, "Ungültiger Wert."
    else:
        yield path, "Ungültiger Wert."


def schema_errors(document: Any) -> list[tuple[int | None, str, str]]:
    """Every schema error as (record number from 1 or ``None`` for the file, field path, message).

    Paths inside a record are relative to the record.
    """
    found: list[tuple[int | None, str, str]] = []
    for error in _validator().iter_errors(document):
        for path, message in _messages(error):
            if len(path) >= 2 and path[0] == "proposals" and isinstance(path[1], int):
                found.append((path[1] + 1, field_path(path[2:]), message))
            else:
                found.append((None, field_path(path), message))
    return sorted(found, key=lambda item: -1 if item[0] is None else item[0])


# --- values ------------------------------------------------------------------------------------


def format_amount(amount: Decimal) -> str:
    return format(amount.quantize(Decimal("0.01")), "f")


def format_instant(instant: datetime | None) -> str | None:
    return instant.astimezone(BERLIN).isoformat() if instant is not None else None


def format_day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def parse_instant(text: str) -> datetime:
    """An aware datetime; ``ValueError`` for an impossible one (the schema fixed the shape)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(text)
    return value


def parse_day(text: str) -> date:
    return date.fromisoformat(text)
