"""Amounts typed in German or with a decimal point become Decimals with cents; never floats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oglabs.portal.forms import AmountError, EuroAmountField, format_euro_input, parse_euro_amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12.500,25", Decimal("12500.25")),
        ("12500.25", Decimal("12500.25")),
        ("12500,25", Decimal("12500.25")),
        ("12.500", Decimal("12500")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("1,234.56", Decimal("1234.56")),
        ("12.50", Decimal("12.50")),
        ("0,5", Decimal("0.5")),
        (" 3 000,00 € ", Decimal("3000.00")),
        ("", Decimal("0.00")),
        ("-5", Decimal("-5")),
    ],
)
def test_parse_euro_amount_accepts(text: str, amount: Decimal) -> None:
    parsed = parse_euro_amount(text)
    assert isinstance(parsed, Decimal)
    assert parsed == amount


@pytest.mark.parametrize("text", ["zwölf", "12,", "1.23.4", "12.5.000,00", "1,2,3", ",5", "1e5", "12,50,00"])
def test_parse_euro_amount_refuses(text: str) -> None:
    with pytest.raises(AmountError) as error:
        parse_euro_amount(text)
    assert str(error.value) == "Bitte geben Sie einen Betrag in Euro an, zum Beispiel 12.500,25."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-1,00", "Der Betrag darf nicht negativ sein."),
        ("1,234", "Beträge werden auf den Cent genau angegeben."),
        ("10.000.000.000,00", "Der Betrag ist zu groß."),
    ],
)
def test_euro_amount_field_refuses_with_german_message(text: str, message: str) -> None:
    from django import forms

    with pytest.raises(forms.ValidationError) as error:
        EuroAmountField().clean(text)
    assert error.value.messages == [message]


def test_euro_amount_field_cleans_to_two_places() -> None:
    assert str(EuroAmountField().clean("12.500")) == "12500.00"


def test_format_euro_input_round_trips(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "de"
    assert format_euro_input(Decimal("12500.25")) == "12.500,25"
    assert format_euro_input(Decimal("0.00")) == ""
    assert parse_euro_amount(format_euro_input(Decimal("1234567.80"))) == Decimal("1234567.80")
