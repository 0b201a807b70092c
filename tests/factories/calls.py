"""Input data for ``oglabs.calls.services.create_call``: a valid call, open on ``NOW``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from oglabs.calls.models import Call
from oglabs.calls.services import create_call

BERLIN = ZoneInfo("Europe/Berlin")
#: The 2019 deadline, stored as the last accepted instant.
DEADLINE = dt.datetime(2019, 10, 31, 23, 59, 59, 999999, tzinfo=BERLIN)
NOW = dt.datetime(2019, 10, 15, 10, 0, tzinfo=BERLIN)


def call_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": "aufruf-2019",
        "title": "Regionale Open Government Labore",
        "description": "Interessenbekundungsverfahren",
        "sponsor": "Bundesministerium des Innern, für Bau und Heimat (BMI)",
        "programme": "Bundesprogramm Ländliche Entwicklung (BULE)",
        "budget": Decimal("3000000.00"),
        "budget_reservation": True,
        "max_labs": 16,
        "funding_starts_on": dt.date(2020, 1, 1),
        "funding_ends_on": dt.date(2022, 12, 31),
        "contact_email": "regionale-open-government-labore@bmi.bund.de",
        "partner_organisations": "Deutscher Städtetag\nDeutscher Landkreistag",
        "is_published": True,
        "opens_at": dt.date(2019, 9, 1),
        "deadline_at": dt.date(2019, 10, 31),
        "workshop_starts_at": dt.date(2019, 11, 1),
        "workshop_ends_at": dt.date(2019, 11, 30),
        "selection_starts_at": dt.date(2019, 12, 1),
        "selection_ends_at": dt.date(2020, 2, 29),
    }
    data.update(overrides)
    return data


def make_call(now: dt.datetime = NOW, **overrides: Any) -> Call:
    return create_call(actor=None, data=call_data(**overrides), now=now)
