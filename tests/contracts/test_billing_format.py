"""Money, quantities, rates and periods as the pages print them (en-GB)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from contracts.templatetags import billing_format as fmt

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1234567.5"), "EUR", f"EUR{NBSP}1,234,567.50"),
        (Decimal("150.0000"), "EUR", f"EUR{NBSP}150.00"),
        (Decimal("151470.0000"), "JPY", f"JPY{NBSP}151,470"),
        (Decimal("12.3455"), "KWD", f"KWD{NBSP}12.346"),  # three decimals, half-up
        (Decimal("-12.5"), "USD", f"-USD{NBSP}12.50"),
        (Decimal("0.005"), "EUR", f"EUR{NBSP}0.01"),
        (None, "EUR", "—"),
        ("NaN", "EUR", "—"),
        ("not a number", "EUR", "—"),
    ],
)
def test_money_shows_the_currency_and_its_minor_unit(amount, currency, shown):
    assert fmt.money(amount, currency) == shown


def test_a_money_change_always_shows_its_sign():
    assert fmt.money_change(Decimal("30"), "EUR") == f"+EUR{NBSP}30.00"
    assert fmt.money_change(Decimal("-3.5"), "EUR") == f"-EUR{NBSP}3.50"
    assert fmt.money_change(Decimal("0"), "EUR") == f"EUR{NBSP}0.00"


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("0.0425"), "EUR", f"EUR{NBSP}0.0425"),
        (Decimal("12.5000"), "EUR", f"EUR{NBSP}12.50"),
        (Decimal("1500.0000"), "JPY", f"JPY{NBSP}1,500"),
    ],
)
def test_a_unit_price_keeps_decimals_beyond_the_minor_unit(amount, currency, shown):
    assert fmt.price(amount, currency) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("10.0000"), "10"), (Decimal("2.5000"), "2.5"), (Decimal("40000"), "40,000")],
)
def test_quantities_drop_trailing_zeros(value, shown):
    assert fmt.quantity(value) == shown


def test_rates_shares_offsets_and_periods():
    assert fmt.percent(Decimal("20.00")) == f"20{NBSP}%"
    assert fmt.share(Decimal("0.5161290323")) == f"51.61{NBSP}%"
    assert fmt.share(Decimal("1.0000000000")) == f"100{NBSP}%"
    assert [fmt.signed_days(d) for d in (1, -3, 0)] == ["+1 day", "-3 days", "0 days"]
    assert (
        fmt.period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
        == "1 Jan 2026 – 31 Jan 2026"
    )


def test_money_follows_the_active_language():
    with translation.override("de"):
        assert fmt.money(Decimal("-1008"), "EUR") == f"-1.008,00{NBSP}EUR"
        assert fmt.price(Decimal("0.0425"), "EUR") == f"0,0425{NBSP}EUR"
    with translation.override("fr"):
        assert fmt.money_change(Decimal("12"), "EUR") == f"+12,00{NBSP}EUR"
