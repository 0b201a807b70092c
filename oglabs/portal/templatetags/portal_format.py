"""Template filters of the applicant portal: amounts to the cent, instants to the second.

``{% load portal_format %}`` then ``{{ amount|euro }}`` → "40.000,00 €" (always with cents: a
funding estimate is exact) and ``{{ submitted_at|berlin_seconds }}`` → "31.10.2019, 23:59:59 Uhr"
(a receipt's instant, in Europe/Berlin).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()

BERLIN = ZoneInfo("Europe/Berlin")


@register.filter
def euro(value: Decimal | int | str | None) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    number = formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number} €"


@register.filter
def berlin_seconds(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        raise ValueError("naive datetime not allowed")
    local = value.astimezone(BERLIN)
    return _("%(date)s, %(time)s Uhr") % {
        "date": formats.date_format(local, "SHORT_DATE_FORMAT"),
        "time": formats.time_format(local, "H:i:s"),
    }
