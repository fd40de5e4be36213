"""What ending a contract takes back of one billed line, pure: the line's days after the end
date over the full cycle's days, exact, rounded once; never more than is left of the line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.line_amounts import billed_after_end, days_after_end, within_left

D = Decimal
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("period", "end_date", "days"),
    [
        (MARCH, None, 0),  # open-ended: nothing after the end
        (MARCH, date(2026, 3, 31), 0),  # ends with the period
        (MARCH, date(2026, 4, 15), 0),  # ends after it
        (MARCH, date(2026, 3, 30), 1),  # the last day of a 31-day month
        (MARCH, date(2026, 3, 20), 11),
        (MARCH, date(2026, 2, 27), 31),  # ends before the period: every day of it
        ((date(2028, 2, 1), date(2028, 2, 29)), date(2028, 2, 28), 1),  # Feb 29 after the end
        ((date(2026, 3, 10), date(2026, 3, 31)), date(2026, 3, 20), 11),  # started mid-cycle
        ((date(2026, 3, 1), date(2026, 3, 25)), date(2026, 3, 20), 5),  # ended mid-cycle
        ((date(2026, 3, 1), date(2026, 3, 15)), date(2026, 3, 20), 0),  # ended before the end
    ],
)
def test_days_after_the_end_date_are_counted_within_the_line_period(period, end_date, days):
    assert days_after_end(*period, end_date) == days


@pytest.mark.parametrize(
    ("quantity", "price", "rate", "period", "cycle_days", "end_date", "currency", "expected"),
    [
        # The brief's figure: 125.00 x 11/31 = 44.354...: 44.35, tax 20 % of it 8.87.
        (D(10), D("12.50"), D(20), MARCH, 31, date(2026, 3, 20), "EUR", (D("44.35"), D("8.87"))),
        # One day of a 31-day month: 4.032... and its tax 0.806...: each rounded once.
        (D(10), D("12.50"), D(20), MARCH, 31, date(2026, 3, 30), "EUR", (D("4.03"), D("0.81"))),
        # Ended before the cycle: all of it.
        (D(10), D("12.50"), D(20), MARCH, 31, date(2026, 2, 28), "EUR", (D("125.00"), D("25.00"))),
        # Feb 29 of a leap year: one day of 29.
        (
            D(10),
            D("12.50"),
            D(20),
            (date(2028, 2, 1), date(2028, 2, 29)),
            29,
            date(2028, 2, 28),
            "EUR",
            (D("4.31"), D("0.86")),
        ),
        # Yen have no minor unit: 12,500 x 11/31 = 4,435.48: 4,435; tax 443.5 rounds up.
        (D(10), D(1250), D(10), MARCH, 31, date(2026, 3, 20), "JPY", (D(4435), D(444))),
        # A line started on the 10th: its 11 days after the end, over the cycle's 31.
        (
            D(10),
            D("12.50"),
            D(20),
            (date(2026, 3, 10), date(2026, 3, 31)),
            31,
            date(2026, 3, 20),
            "EUR",
            (D("44.35"), D("8.87")),
        ),
        # A line that ended on the 25th: 5 days, 20.161...
        (
            D(10),
            D("12.50"),
            D(20),
            (date(2026, 3, 1), date(2026, 3, 25)),
            31,
            date(2026, 3, 20),
            "EUR",
            (D("20.16"), D("4.03")),
        ),
        # A quarter of 90 days ended on 20 Feb: 39 days of 375.00 = 162.50 exactly.
        (
            D(10),
            D("37.50"),
            D(20),
            (date(2026, 1, 1), date(2026, 3, 31)),
            90,
            date(2026, 2, 20),
            "EUR",
            (D("162.50"), D("32.50")),
        ),
        (D(10), D("12.50"), D(20), MARCH, 31, None, "EUR", (D(0), D(0))),
    ],
)
def test_a_line_takes_back_its_days_after_the_end_rounded_once(
    quantity, price, rate, period, cycle_days, end_date, currency, expected
):
    figures = billed_after_end(
        quantity=quantity,
        unit_price=price,
        tax_rate=rate,
        period_start=period[0],
        period_end=period[1],
        cycle_days=cycle_days,
        end_date=end_date,
        currency=currency,
    )
    assert figures == expected


@pytest.mark.parametrize(
    ("credit", "left", "expected"),
    [
        # Nothing credited before: all of the credit.
        ((D("44.35"), D("8.87")), (D("125.00"), D("25.00")), (D("44.35"), D("8.87"))),
        # A line partly credited already: never more than is left of it, its tax with it.
        ((D("44.35"), D("8.87")), (D("30.00"), D("6.00")), (D("30.00"), D("6.00"))),
        ((D("44.35"), D("8.87")), (D("44.35"), D("8.87")), (D("44.35"), D("8.87"))),
        # The tax left is the cap on the tax too.
        ((D("44.35"), D("8.87")), (D("50.00"), D("5.00")), (D("44.35"), D("5.00"))),
        # A line credited in full: nothing.
        ((D("44.35"), D("8.87")), (D(0), D(0)), (D(0), D(0))),
        ((D(4435), D(444)), (D(12500), D(1250)), (D(4435), D(444))),
    ],
)
def test_a_credit_never_exceeds_what_is_left_of_the_line(credit, left, expected):
    assert within_left(*credit, *left) == expected
