"""Template filters for amounts and instants, as the public shows them.

``{% load oglabs_format %}`` then ``{{ call.budget|money:call.currency }}`` → "3.000.000 €" and
``{{ deadline_at|berlin_datetime }}`` → "31.10.2019, 23:59 Uhr" (German; other languages use their
own number and date formats). Instants are always shown in Europe/Berlin, the call's time zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

BERLIN = ZoneInfo("Europe/Berlin")
_CURRENCY_SYMBOLS = {"EUR": "€"}


@register.filter
def money(value: Decimal | int | float | None, currency: str = "EUR") -> str:
    """Whole amounts without cents ("3.000.000 €"), others with two decimals ("1.234,50 €")."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    places = 0 if amount == amount.to_integral_value() else 2
    number = formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{number} {_CURRENCY_SYMBOLS.get(currency, currency)}"


def _berlin(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime not allowed")
    return value.astimezone(BERLIN)


@register.filter
def berlin_datetime(value: datetime | None) -> str:
    """Date and time in Europe/Berlin: "31.10.2019, 23:59 Uhr"."""
    if value is None:
        return ""
    local = _berlin(value)
    return _("%(date)s, %(time)s Uhr") % {
        "date": formats.date_format(local, "SHORT_DATE_FORMAT"),
        "time": formats.time_format(local, "H:i"),
    }


@register.filter
def berlin_date(value: datetime | date | None) -> str:
    """The calendar date ("31.10.2019"); instants are first converted to Europe/Berlin."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _berlin(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT")


@register.filter(needs_autoescape=True)
def structured_text(value: str | None, autoescape: bool = True) -> SafeString:
    """Plain text with blank-line paragraphs; a paragraph starting with ``## `` is a heading.

    Used for long texts entered by staff (a call's description): the headings become real
    ``<h2>`` elements (WCAG 1.3.1), everything else is escaped and kept as paragraphs.
    """

    def esc(text: str) -> str:
        return str(conditional_escape(text)) if autoescape else text

    parts: list[str] = []
    for paragraph in re.split(r"\n\s*\n", (value or "").strip()):
        if not paragraph.strip():
            continue
        if paragraph.startswith("## "):
            parts.append(f"<h2>{esc(paragraph[3:].strip())}</h2>")
        else:
            lines = [esc(line) for line in paragraph.strip().splitlines()]
            parts.append("<p>" + "<br>".join(lines) + "</p>")
    return mark_safe("\n".join(parts))  # noqa: S308  # every piece was escaped above
