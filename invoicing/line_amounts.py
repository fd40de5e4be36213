"""Line arithmetic: what one invoice line bills and its tax, each rounded once.

Pure: no Django import. Regular and change-log drafting both call it; the share of the
cycle comes from schedules/cycles.py. Warning: issued invoices were computed with these
rules; changing them changes what a replacement of a past cycle bills.
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple, Protocol

from invoicing.money import round_money, round_ratio


class Amounted(Protocol):
    """A drafted line, as a document's totals read it."""

    @property
    def amount(self) -> Decimal: ...
    @property
    def tax_amount(self) -> Decimal: ...


class DocumentTotals(NamedTuple):
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal


def document_totals(lines: Iterable[Amounted]) -> DocumentTotals:
    """A document's totals (invoice or credit note): sums of its lines, each rounded once
    already, never rounded again."""
    subtotal = tax_total = Decimal(0)
    for line in lines:
        subtotal += line.amount
        tax_total += line.tax_amount
    return DocumentTotals(subtotal, tax_total, subtotal + tax_total)


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


class QuantityDecrease(NamedTuple):
    """A change-log decrease a credit note took back from a billed line: its (negative)
    quantity x unit price over its days, and the rounded amount it credited (negative)."""

    quantity: Decimal
    unit_price: Decimal
    period_start: date
    period_end: date
    amount: Decimal


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
    decreases: Sequence[QuantityDecrease] = (),
) -> tuple[Decimal, Decimal]:
    """What a billed line still charges for its days after `end_date`: quantity x unit price
    x those days / the full cycle's days, less the decreases already credited for those
    days, exact, rounded once; its tax on that, rounded once.

    The same figure a regular invoice bills for those days, so a contract ended and then
    extended again bills back exactly what its end took back. A line that started or ended
    mid-cycle counts only its own days after the end date; a decrease only its own days."""
    days = days_after_end(period_start, period_end, end_date)
    if not days:
        return Decimal(0), Decimal(0)
    billed = Fraction(quantity) * Fraction(unit_price) * days / cycle_days
    billed += sum(
        (_decrease_after_end(d, cycle_days, end_date, currency) for d in decreases), Fraction(0)
    )
    if billed <= 0:  # decreased to nothing before the end: nothing billed after it
        return Decimal(0), Decimal(0)
    amount = round_ratio(billed.numerator, billed.denominator, currency)
    return amount, line_tax(amount, tax_rate, currency)


def _decrease_after_end(
    decrease: QuantityDecrease, cycle_days: int, end: date | None, currency: str
) -> Fraction:
    """The (negative) share of a credited decrease that falls after the end date: by its
    quantity when its credit line is quantity x price over its days (rounded once, as
    change_line drafts it), else (a credit split over several invoices) by its amount."""
    after = days_after_end(decrease.period_start, decrease.period_end, end)
    if not after:
        return Fraction(0)
    days = (decrease.period_end - decrease.period_start).days + 1
    exact = Fraction(decrease.quantity) * Fraction(decrease.unit_price) * days / cycle_days
    if round_ratio(exact.numerator, exact.denominator, currency) == decrease.amount:
        return exact * after / days
    return Fraction(decrease.amount) * after / days


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
