"""German formatting for the receipt and its mail, independent of the active locale. Pure: no Django."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from oglabs.calls.timeline import BERLIN

DASH = "–"


def format_euro(amount: Decimal | str) -> str:
    """An amount in German notation with cents: ``Decimal("40000")`` → ``"40.000,00 €"``."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{groups},{cents} €"


def format_instant(value: datetime) -> str:
    """An instant in Europe/Berlin to the second: ``"31.10.2019, 23:59:59 Uhr"``."""
    if value.tzinfo is None:
        raise ValueError("naive datetime not allowed")
    return f"{value.astimezone(BERLIN):%d.%m.%Y, %H:%M:%S} Uhr"


def format_date(value: date | str | None) -> str:
    """A calendar date (``date`` or the ISO text of frozen content) as ``"30.06.2021"``."""
    if value in (None, ""):
        return DASH
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day:%d.%m.%Y}"


def ags_from_ars(ars: str) -> str:
    """The 8-digit AGS of a Gemeinde from its 12-digit ARS (Land, Kreis, Gemeinde; without the
    4-digit Verband); a Kreis (5-digit key) has none."""
    return ars[:5] + ars[9:] if len(ars) == 12 else ""
