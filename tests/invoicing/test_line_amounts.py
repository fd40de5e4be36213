"""Line arithmetic, pure: amounts and taxes from exact ratios, each rounded once."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import pytest

from invoicing.line_amounts import line_amount, line_tax
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


def test_line_arithmetic_loads_no_django():
    script = (
        "import sys\n"
        "import invoicing.line_amounts\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django loaded'\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, check=True, capture_output=True)
