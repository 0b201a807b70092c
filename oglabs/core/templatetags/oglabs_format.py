"""Template filters for amounts and instants, as the public shows them, explicit per language.

``{% load oglabs_format %}`` then ``{{ call.budget|money:call.currency }}`` and
``{{ deadline_at|berlin_datetime }}``:

- German (the site's language, also for any language without its own style here):
  "3.000.000 €", "1.234,50 €", "31.10.2019, 23:59 Uhr", "31.10.2019".
- English: "€3,000,000", "€1,234.50", "31 Oct 2019, 23:59", "31 Oct 2019" — the currency sign
  before the amount and the month as a word, so no reader takes 01/07/2027 for January 7th.

Django's locale formats are not used: they would change with Django's ``en`` defaults (m/d/Y).
Instants are always shown in Europe/Berlin, the call's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

BERLIN = ZoneInfo("Europe/Berlin")
_CURRENCY_SYMBOLS = {"EUR": "€"}
_ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class _Style:
    thousands: str
    decimal: str
    #: The currency sign before the amount ("€3,000") rather than after it ("3.000 €").
    sign_first: bool
    #: "31 Oct 2019" rather than "31.10.2019".
    month_words: bool
    #: Appended to a time of day ("23:59 Uhr").
    time_suffix: str


_GERMAN = _Style(thousands=".", decimal=",", sign_first=False, month_words=False, time_suffix=" Uhr")
_STYLES = {
    "de": _GERMAN,
    "en": _Style(thousands=",", decimal=".", sign_first=True, month_words=True, time_suffix=""),
}


def _style() -> _Style:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return _STYLES.get(language, _GERMAN)


def format_money(
    value: Decimal | int | float | str, currency: str = "EUR", *, cents: bool | None = None
) -> str:
    """An amount in the active language; ``cents=None`` shows cents only when there are some."""
    amount = Decimal(str(value))
    if cents is None:
        cents = amount != amount.to_integral_value()
    amount = amount.quantize(Decimal("0.01") if cents else Decimal("1"), rounding=ROUND_HALF_UP)
    style = _style()
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    groups = f"{int(whole):,}".replace(",", style.thousands)
    number = f"{groups}{style.decimal}{fraction}" if cents else groups
    sign = "-" if amount < 0 else ""
    symbol = _CURRENCY_SYMBOLS.get(currency)
    if symbol is None:  # a code such as "CHF" stands apart from the number in both languages
        return f"{sign}{currency} {number}" if style.sign_first else f"{sign}{number} {currency}"
    return f"{sign}{symbol}{number}" if style.sign_first else f"{sign}{number} {symbol}"


def format_date(value: date) -> str:
    """A calendar date in the active language: "31.10.2019" or "31 Oct 2019"."""
    if _style().month_words:
        return f"{value.day} {_ENGLISH_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def format_instant(value: datetime, *, seconds: bool = False) -> str:
    """An instant in Europe/Berlin: "31.10.2019, 23:59 Uhr" or "31 Oct 2019, 23:59"."""
    local = _berlin(value)
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{format_date(local.date())}, {clock}{_style().time_suffix}"


def _berlin(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime not allowed")
    return value.astimezone(BERLIN)


@register.filter
def money(value: Decimal | int | float | None, currency: str = "EUR") -> str:
    """Whole amounts without cents ("3.000.000 €"), others with two decimals ("1.234,50 €")."""
    if value is None or value == "":
        return ""
    return format_money(value, currency)


@register.filter
def money_cents(value: Decimal | int | float | None, always: bool = True) -> str:
    """Euros always with cents ("40.000,00 €") — or, given a false flag, as ``money`` ("40.000 €")."""
    if value is None or value == "":
        return ""
    return format_money(value, "EUR", cents=True if always else None)


@register.filter
def berlin_datetime(value: datetime | None) -> str:
    """Date and time in Europe/Berlin: "31.10.2019, 23:59 Uhr"."""
    if value is None:
        return ""
    return format_instant(value)


@register.filter
def berlin_date(value: datetime | date | None) -> str:
    """The calendar date ("31.10.2019"); instants are first converted to Europe/Berlin."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _berlin(value).date()
    return format_date(value)


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


@register.simple_tag
def data_lang() -> SafeString:
    """`` lang="de"`` for an element holding text people entered (a call's title and description,
    published answers) when the page is in another language (WCAG 3.1.2, language of parts).

    The texts are entered in the site's language (``LANGUAGE_CODE``, German); the English pages
    translate the interface around them, not the texts. ``<h1{% data_lang %}>{{ call.title }}</h1>``.
    """
    data_language = settings.LANGUAGE_CODE
    active = (get_language() or data_language).split("-")[0]
    if active == data_language.split("-")[0]:
        return mark_safe("")
    return format_html(' lang="{}"', data_language)
