"""Money as text (Babel, by locale) and as a CSV figure. No database needed."""

from decimal import Decimal

import pytest

from invoicing.money_format import (
    format_money,
    format_money_change,
    format_price,
    format_quantity,
    locale_code,
    money_figure,
)

NBSP = "\u00a0"
NNBSP = "\u202f"  # CLDR's French group separator


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        # The three document languages, with the code where the locale puts the symbol.
        ("1008", "EUR", "en_GB", f"EUR{NBSP}1,008.00"),
        ("1008", "EUR", "fr", f"1{NNBSP}008,00{NBSP}EUR"),
        ("1008", "EUR", "de", f"1.008,00{NBSP}EUR"),
        # Django's spelling of a language is understood too.
        ("1008", "EUR", "en-gb", f"EUR{NBSP}1,008.00"),
        # Negative: the locale's minus sign (a hyphen-minus in CLDR's en, fr and de).
        ("-548.80", "EUR", "en_GB", f"-EUR{NBSP}548.80"),
        ("-548.80", "EUR", "fr", f"-548,80{NBSP}EUR"),
        ("-548.80", "EUR", "de", f"-548,80{NBSP}EUR"),
        # Zero, and an amount that rounds to zero: no sign.
        ("0", "EUR", "en_GB", f"EUR{NBSP}0.00"),
        ("-0.004", "EUR", "en_GB", f"EUR{NBSP}0.00"),
        # Big numbers are grouped in the locale's way.
        ("1234567890.5", "EUR", "en_GB", f"EUR{NBSP}1,234,567,890.50"),
        ("1234567890.5", "EUR", "de", f"1.234.567.890,50{NBSP}EUR"),
        # The ISO 4217 minor unit, not CLDR's digits: JPY 0, KWD 3, CLF 4, HUF 2 (CLDR: 0).
        ("151470.0000", "JPY", "en_GB", f"JPY{NBSP}151,470"),
        ("151470.5", "JPY", "fr", f"151{NNBSP}471{NBSP}JPY"),
        ("12.3455", "KWD", "en_GB", f"KWD{NBSP}12.346"),
        ("12.3455", "KWD", "de", f"12,346{NBSP}KWD"),
        ("1.23456", "CLF", "en_GB", f"CLF{NBSP}1.2346"),
        ("1.23455", "CLF", "fr", f"1,2346{NBSP}CLF"),
        ("1500.5", "HUF", "en_GB", f"HUF{NBSP}1,500.50"),
        # Half-up, away from zero, once: never banker's rounding.
        ("0.005", "EUR", "en_GB", f"EUR{NBSP}0.01"),
        ("0.025", "EUR", "en_GB", f"EUR{NBSP}0.03"),
        ("-0.025", "EUR", "en_GB", f"-EUR{NBSP}0.03"),
        ("2.5", "JPY", "en_GB", f"JPY{NBSP}3"),
        # Stored amounts carry four decimals: they are shown at the minor unit.
        ("1008.0000", "USD", "en_GB", f"USD{NBSP}1,008.00"),
    ],
)
def test_money_reads_in_the_locale_at_the_minor_unit(amount, currency, locale, shown):
    assert format_money(Decimal(amount), currency, locale) == shown


@pytest.mark.parametrize(
    ("amount", "locale", "shown"),
    [
        ("12", "en_GB", f"+EUR{NBSP}12.00"),
        ("-3.5", "en_GB", f"-EUR{NBSP}3.50"),
        ("0", "en_GB", f"EUR{NBSP}0.00"),
        ("12", "fr", f"+12,00{NBSP}EUR"),
        ("-3.5", "de", f"-3,50{NBSP}EUR"),
    ],
)
def test_a_money_change_always_shows_its_sign_but_zero_has_none(amount, locale, shown):
    assert format_money_change(Decimal(amount), "EUR", locale) == shown


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        ("0.0425", "EUR", "en_GB", f"EUR{NBSP}0.0425"),
        ("0.0425", "EUR", "fr", f"0,0425{NBSP}EUR"),
        ("12.5000", "EUR", "en_GB", f"EUR{NBSP}12.50"),
        ("1500.0000", "JPY", "en_GB", f"JPY{NBSP}1,500"),
        ("1500.25", "JPY", "de", f"1.500,25{NBSP}JPY"),
        ("-1.5", "EUR", "en_GB", f"-EUR{NBSP}1.50"),
    ],
)
def test_a_unit_price_keeps_decimals_beyond_the_minor_unit(amount, currency, locale, shown):
    assert format_price(Decimal(amount), currency, locale) == shown


@pytest.mark.parametrize(
    ("amount", "currency", "figure"),
    [
        ("1008", "EUR", "1008.00"),
        ("1008.0000", "EUR", "1008.00"),
        ("-548.8", "EUR", "-548.80"),
        ("1234567.891", "EUR", "1234567.89"),
        ("0.005", "EUR", "0.01"),
        ("-0.001", "EUR", "0.00"),
        ("151470.0000", "JPY", "151470"),
        ("12.3455", "KWD", "12.346"),
        ("1.23455", "CLF", "1.2346"),
    ],
)
def test_a_csv_figure_is_a_plain_number_at_the_minor_unit(amount, currency, figure):
    assert money_figure(Decimal(amount), currency) == figure


def test_an_unknown_locale_still_reads_as_english():
    assert format_money(Decimal("1008"), "EUR", "xx") == f"EUR{NBSP}1,008.00"
    assert locale_code("xx") == "en"
    assert locale_code("en-gb") == "en_GB"


def test_an_unknown_currency_is_refused_not_guessed():
    with pytest.raises(ValueError, match="ISO 4217"):
        format_money(Decimal("1"), "XYZ", "en_GB")


@pytest.mark.parametrize(
    ("value", "locale", "shown"),
    [
        ("10.0000", "en_GB", "10"),
        ("2.5000", "en_GB", "2.5"),
        ("2.5000", "fr", "2,5"),
        ("40000", "en_GB", "40,000"),
        ("40000", "de", "40.000"),
        ("0.0425", "de", "0,0425"),
        ("-3", "en_GB", "-3"),
        ("0E-4", "en_GB", "0"),
    ],
)
def test_a_quantity_drops_trailing_zeros_and_is_grouped_in_the_locale(value, locale, shown):
    assert format_quantity(Decimal(value), locale) == shown
