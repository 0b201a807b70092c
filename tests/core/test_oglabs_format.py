"""Amounts, dates and instants as the pages show them, explicit per language: German "3.000.000 €"
and "31.10.2019, 23:59 Uhr"; English "€3,000,000" and "31 Oct 2019, 23:59" (never 10/31/2019)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from oglabs.core.templatetags.oglabs_format import berlin_date, berlin_datetime, data_lang, money
from oglabs.portal.templatetags.portal_format import berlin_seconds, euro

UTC = dt.UTC
#: 31 Oct 2019, 23:59:30 in Berlin (CET, UTC+1).
DEADLINE = dt.datetime(2019, 10, 31, 22, 59, 30, tzinfo=UTC)
#: 1 Jul 2027, 00:30 in Berlin (CEST, UTC+2) — still 30 June in UTC.
SUMMER = dt.datetime(2027, 6, 30, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("de", Decimal("3000000"), "3.000.000 €"),
        ("de", Decimal("3000000.00"), "3.000.000 €"),
        ("de", Decimal("1234.5"), "1.234,50 €"),
        ("de", Decimal("0.05"), "0,05 €"),
        ("de", Decimal("-1234.5"), "-1.234,50 €"),
        ("de", 999, "999 €"),
        ("en", Decimal("3000000"), "€3,000,000"),
        ("en", Decimal("1234.5"), "€1,234.50"),
        ("en", Decimal("-1234.5"), "-€1,234.50"),
        ("en", 999, "€999"),
        ("en-gb", Decimal("1000"), "€1,000"),
        ("fr", Decimal("1000"), "1.000 €"),  # no style of its own: the site's German
    ],
)
def test_money_is_explicit_per_language(language: str, value: Decimal | int, expected: str) -> None:
    with translation.override(language):
        assert money(value) == expected


def test_money_of_another_currency_keeps_its_code_apart() -> None:
    with translation.override("de"):
        assert money(Decimal("1500"), "CHF") == "1.500 CHF"
    with translation.override("en"):
        assert money(Decimal("1500"), "CHF") == "CHF 1,500"


def test_money_of_nothing_is_empty() -> None:
    assert money(None) == ""
    assert money("") == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("de", DEADLINE, "31.10.2019, 23:59 Uhr"),
        ("de", SUMMER, "01.07.2027, 00:30 Uhr"),
        ("en", DEADLINE, "31 Oct 2019, 23:59"),
        ("en", SUMMER, "1 Jul 2027, 00:30"),
    ],
)
def test_berlin_datetime_is_explicit_per_language(language: str, value: dt.datetime, expected: str) -> None:
    with translation.override(language):
        assert berlin_datetime(value) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("de", dt.date(2027, 7, 1), "01.07.2027"),
        ("de", SUMMER, "01.07.2027"),  # the Berlin date of the instant, not the UTC one
        ("en", dt.date(2027, 7, 1), "1 Jul 2027"),
        ("en", SUMMER, "1 Jul 2027"),
        ("en", dt.date(2019, 12, 31), "31 Dec 2019"),
    ],
)
def test_berlin_date_is_explicit_per_language(language: str, value: dt.date, expected: str) -> None:
    with translation.override(language):
        assert berlin_date(value) == expected


def test_instants_in_another_zone_are_shown_in_berlin() -> None:
    tokyo = DEADLINE.astimezone(ZoneInfo("Asia/Tokyo"))
    with translation.override("de"):
        assert berlin_datetime(tokyo) == "31.10.2019, 23:59 Uhr"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        berlin_datetime(dt.datetime(2019, 10, 31, 23, 59))  # the naive value is the point


def test_portal_filters_follow_the_same_styles() -> None:
    with translation.override("de"):
        assert euro(Decimal("40000")) == "40.000,00 €"
        assert berlin_seconds(DEADLINE) == "31.10.2019, 23:59:30 Uhr"
    with translation.override("en"):
        assert euro(Decimal("40000")) == "€40,000.00"
        assert euro("12500.255") == "€12,500.26"
        assert berlin_seconds(DEADLINE) == "31 Oct 2019, 23:59:30"


def test_data_lang_marks_german_data_only_on_pages_in_another_language() -> None:
    with translation.override("de"):
        assert data_lang() == ""
    with translation.override("en"):
        assert data_lang() == ' lang="de"'
    template = Template("{% load oglabs_format %}<h1{% data_lang %}>Regionale Labore</h1>")
    with translation.override("en"):
        assert template.render(Context()) == '<h1 lang="de">Regionale Labore</h1>'
