"""Template filters of the applicant portal: amounts to the cent, instants to the second.

``{% load portal_format %}`` then ``{{ amount|euro }}`` → "40.000,00 €" (always with cents: a
funding estimate is exact) and ``{{ submitted_at|berlin_seconds }}`` → "31.10.2019, 23:59:59 Uhr"
(a receipt's instant, in Europe/Berlin). In English "€40,000.00" and "31 Oct 2019, 23:59:59", as
the shared filters of ``oglabs_format`` write them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template

from oglabs.core.templatetags.oglabs_format import format_instant, format_money

register = template.Library()


@register.filter
def euro(value: Decimal | int | str | None) -> str:
    if value is None or value == "":
        return ""
    return format_money(value, "EUR", cents=True)


@register.filter
def berlin_seconds(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_instant(value, seconds=True)
