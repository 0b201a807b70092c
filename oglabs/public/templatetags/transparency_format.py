"""``{% load transparency_format %}``: numbers of the public decision pages in the active language."""

from __future__ import annotations

from decimal import Decimal

from django import template

from oglabs.transparency.public_wording import format_number

register = template.Library()


@register.filter
def number(value: Decimal | int | None) -> str:
    """``Decimal("71.5000")`` → "71,5" (German) or "71.5" (English); ``None`` → "–"."""
    if value is None or value == "":
        return "–"
    return format_number(value)


@register.filter
def lookup(mapping: dict[str, object], key: str) -> object:
    """``{{ row.per_criterion|lookup:criterion.key }}``: a value of a dict by a variable key."""
    return mapping.get(key)
