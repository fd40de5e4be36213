"""Line arithmetic: what one invoice line bills and its tax, each rounded once.

Pure: no Django import. Regular and change-log drafting both call it; the share of the
cycle comes from schedules/cycles.py. Warning: issued invoices were computed with these
rules; changing them changes what a replacement of a past cycle bills.
"""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from invoicing.money import round_money, round_ratio


def line_amount(quantity: Decimal, unit_price: Decimal, share: Fraction, currency: str) -> Decimal:
    """quantity x unit price x share of the cycle, on exact integer ratios, rounded once."""
    quantity_n, quantity_d = quantity.as_integer_ratio()
    price_n, price_d = unit_price.as_integer_ratio()
    return round_ratio(
        quantity_n * price_n * share.numerator,
        quantity_d * price_d * share.denominator,
        currency,
    )


def line_tax(amount: Decimal, tax_rate: Decimal, currency: str) -> Decimal:
    """The tax on a line's (rounded) amount at `tax_rate` percent, rounded once."""
    amount_n, amount_d = amount.as_integer_ratio()
    tax_n, tax_d = tax_rate.as_integer_ratio()
    return round_ratio(amount_n * tax_n, amount_d * tax_d * 100, currency)


def days_after_end(period_start: date, period_end: date, end_date: date | None) -> int:
    """How many days of `period_start`..`period_end` fall after `end_date` (none without
    one, all when it comes before the period)."""
    if end_date is None or end_date >= period_end:
        return 0
    return (period_end - max(period_start, end_date + timedelta(days=1))).days + 1


def billed_after_end(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    tax_rate: Decimal,
    period_start: date,
    period_end: date,
    cycle_days: int,
    end_date: date | None,
    currency: str,
) -> tuple[Decimal, Decimal]:
    """What a billed line charged for its days after `end_date`: quantity x unit price x
    those days / the full cycle's days, exact, rounded once; its tax on that, rounded once.

    The same figure a regular invoice bills for those days, so a contract ended and then
    extended again bills back exactly what its end took back. A line that started or ended
    mid-cycle counts only its own days after the end date."""
    days = days_after_end(period_start, period_end, end_date)
    if not days:
        return Decimal(0), Decimal(0)
    amount = line_amount(quantity, unit_price, Fraction(days, cycle_days), currency)
    return amount, line_tax(amount, tax_rate, currency)


def within_left(
    amount: Decimal, tax: Decimal, amount_left: Decimal, tax_left: Decimal
) -> tuple[Decimal, Decimal]:
    """A credit of (amount, tax) capped at what is left of the line: never more than an
    earlier credit note left of it; a credit reaching what is left takes its tax too."""
    if amount >= amount_left:
        return max(amount_left, Decimal(0)), max(tax_left, Decimal(0))
    return amount, max(min(tax, tax_left), Decimal(0))


def within_minor_unit(amount: Decimal, currency: str) -> bool:
    """Whether `amount` has no more decimals than the currency's minor unit (10.5 EUR yes,
    10.555 EUR and 10.5 JPY no)."""
    return round_money(amount, currency) == amount


def credit_tax(
    amount: Decimal, *, amount_left: Decimal, tax_left: Decimal, tax_rate: Decimal, currency: str
) -> Decimal:
    """The tax a credit of `amount` (positive) takes back from a line, positive.

    Taking back all that is left of the line takes back all of its tax left, so partial
    credits that add up to the line leave no rounding cent behind; otherwise the tax on
    the amount rounded once, never more than the tax left (several small credits each
    rounded up cannot take back more tax than the line billed)."""
    if amount == amount_left:
        return tax_left
    return min(line_tax(amount, tax_rate, currency), tax_left)


def credit_units(
    amount: Decimal, *, quantity: Decimal, unit_price: Decimal, proration: Decimal
) -> tuple[Decimal, Decimal]:
    """The (quantity, unit price) a credit of `amount` shows: whole units of a line billed
    over its full cycle when the amount is a whole number of them (2 × 12.50), otherwise
    one unit of the amount (1 × 7.30). Returns positive figures."""
    if proration == 1 and unit_price > 0:
        units = amount / unit_price
        if units == units.to_integral_value() and 0 < units <= quantity:
            return units.quantize(Decimal(1)), unit_price
    return Decimal(1), amount
