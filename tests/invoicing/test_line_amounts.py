"""Line arithmetic, pure: amounts and taxes from exact ratios, each rounded once."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import pytest

from invoicing.line_amounts import (
    credit_tax,
    credit_units,
    line_amount,
    line_tax,
    within_minor_unit,
)
from tests.conftest import PROJECT_DIR

D = Decimal


@pytest.mark.parametrize(
    ("quantity", "unit_price", "share", "currency", "expected"),
    [
        # A whole cycle is quantity x price.
        (D("3"), D("49.90"), Fraction(1), "EUR", D("149.70")),
        # 15 of 30 days: exactly half, no rounding.
        (D("1"), D("100.00"), Fraction(15, 30), "EUR", D("50.00")),
        # 10 of 31 days of 100.00 = 32.258...: rounded once, down.
        (D("1"), D("100.00"), Fraction(10, 31), "EUR", D("32.26")),
        # Half a cent rounds away from zero, for credits too.
        (D("1"), D("0.05"), Fraction(1, 2), "EUR", D("0.03")),
        (D("-1"), D("0.05"), Fraction(1, 2), "EUR", D("-0.03")),
        # A fractional quantity and a price with more places than the currency.
        (D("2.5"), D("0.333"), Fraction(1), "EUR", D("0.83")),
        # No minor unit: yen round to whole units.
        (D("7"), D("1250"), Fraction(29, 92), "JPY", D("2758")),
        # Three decimals.
        (D("1"), D("10.000"), Fraction(1, 3), "KWD", D("3.333")),
        # Rounding the product once is not rounding each factor: 3 x 0.3333... = 1.00, not 0.99.
        (D("3"), D("1.00"), Fraction(1, 3), "EUR", D("1.00")),
    ],
)
def test_a_line_bills_quantity_times_price_times_share_rounded_once(
    quantity, unit_price, share, currency, expected
):
    assert line_amount(quantity, unit_price, share, currency) == expected


@pytest.mark.parametrize(
    ("amount", "rate", "currency", "expected"),
    [
        (D("100.00"), D("19"), "EUR", D("19.00")),
        (D("32.26"), D("7"), "EUR", D("2.26")),  # 2.2582 rounds up
        (D("10.50"), D("7.7"), "CHF", D("0.81")),  # 0.8085
        (D("-32.26"), D("20"), "EUR", D("-6.45")),  # 6.452
        (D("2758"), D("10"), "JPY", D("276")),  # 275.8
        (D("99.99"), D("0"), "EUR", D("0.00")),
    ],
)
def test_tax_is_the_rate_of_the_rounded_amount_rounded_once(amount, rate, currency, expected):
    assert line_tax(amount, rate, currency) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (D("10.5"), "EUR", True),
        (D("10.50"), "EUR", True),
        (D("10.500"), "EUR", True),  # trailing zeros are no extra precision
        (D("10.555"), "EUR", False),
        (D("0.001"), "EUR", False),
        (D("1500"), "JPY", True),
        (D("1500.5"), "JPY", False),
        (D("1.234"), "KWD", True),
    ],
)
def test_an_amount_fits_the_currencys_minor_unit_or_not(amount, currency, expected):
    assert within_minor_unit(amount, currency) is expected


@pytest.mark.parametrize(
    ("amount", "amount_left", "tax_left", "rate", "currency", "expected"),
    [
        # All that is left of the line: all of its tax left, whatever the rounding.
        (D("0.05"), D("0.05"), D("0.01"), D("7"), "EUR", D("0.01")),
        (D("125.00"), D("125.00"), D("25.00"), D("20"), "EUR", D("25.00")),
        # Part of it: the tax on the amount, rounded once, half-up.
        (D("50.00"), D("125.00"), D("25.00"), D("20"), "EUR", D("10.00")),
        (D("32.26"), D("100.00"), D("7.00"), D("7"), "EUR", D("2.26")),
        (D("0.05"), D("0.25"), D("0.03"), D("10"), "EUR", D("0.01")),  # 0.005 rounds up
        (D("333"), D("999"), D("100"), D("10"), "JPY", D("33")),  # 33.3
        (D("335"), D("999"), D("100"), D("10"), "JPY", D("34")),  # 33.5 rounds up
        # Small credits each rounded up never take back more tax than is left.
        (D("0.05"), D("0.10"), D("0.00"), D("10"), "EUR", D("0.00")),
    ],
)
def test_a_credit_takes_back_the_tax_of_its_amount_never_more_than_is_left(
    amount, amount_left, tax_left, rate, currency, expected
):
    got = credit_tax(
        amount, amount_left=amount_left, tax_left=tax_left, tax_rate=rate, currency=currency
    )
    assert got == expected


@pytest.mark.parametrize(
    ("amount", "quantity", "unit_price", "proration", "expected"),
    [
        (D("25.00"), D(10), D("12.50"), D(1), (D(2), D("12.50"))),  # two whole units
        (D("125.00"), D(10), D("12.50"), D(1), (D(10), D("12.50"))),
        (D("7.30"), D(10), D("12.50"), D(1), (D(1), D("7.30"))),  # not whole units
        (D("137.50"), D(10), D("12.50"), D(1), (D(1), D("137.50"))),  # more units than billed
        (D("25.00"), D(10), D("12.50"), D("0.5"), (D(1), D("25.00"))),  # a prorated line
        (D("666"), D(3), D("333"), D(1), (D(2), D("333"))),
    ],
)
def test_a_credit_shows_whole_units_when_it_is_whole_units_of_a_full_cycle(
    amount, quantity, unit_price, proration, expected
):
    assert (
        credit_units(amount, quantity=quantity, unit_price=unit_price, proration=proration)
        == expected
    )


def test_line_arithmetic_loads_no_django():
    script = (
        "import sys\n"
        "import invoicing.line_amounts\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django loaded'\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, check=True, capture_output=True)
