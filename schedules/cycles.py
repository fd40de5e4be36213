"""Billing cycle arithmetic: cycles, anchors, invoice dates and proration.

Pure by design: no Django import, no clock. "Today" is always passed in.

Warning: invoices already issued were computed with these rules. Changing how a
cycle starts, ends or prorates silently rewrites the history a re-generation or
a replace would produce; change it only with a migration plan for past cycles.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Generic, TypeVar

from dateutil.relativedelta import relativedelta

WHOLE = Fraction(1)
ONE_DAY = timedelta(days=1)
MIN_OFFSET_DAYS = -365
MAX_OFFSET_DAYS = 365

# The days the product bills: a contract date, an effective date or a chosen day outside them
# is refused before any cycle arithmetic, with a message instead of "year 10000 is out of
# range". A billing book needs no year 9999; up to 9000 leaves room (date.max is 9999-12-31)
# for every cycle, anchor and Invoice Date computed from such a day: 36 schedules ahead of
# 36-month cycles is 108 years, and the offset is at most a year.
FIRST_SUPPORTED_DAY = date(1900, 1, 1)
LAST_SUPPORTED_DAY = date(9000, 12, 31)
DAY_NOT_SUPPORTED = "{what} {day} is outside the supported dates, {first} to {last}."


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMI_ANNUAL = "semi_annual"
    ANNUAL = "annual"
    TRIENNIAL = "triennial"

    @property
    def months(self) -> int:
        return _MONTHS[self]


# Keyed by str: a Frequency is a str, and contracts store the plain value.
_MONTHS: dict[str, int] = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.SEMI_ANNUAL: 6,
    Frequency.ANNUAL: 12,
    Frequency.TRIENNIAL: 36,
}


class Timing(enum.StrEnum):
    ADVANCE = "advance"
    ARREARS = "arrears"


@dataclass(frozen=True, order=True)
class Cycle:
    """Cycle `index` of a contract: `start`..`end` inclusive.

    `full_end` is where the cycle would end without the contract's end date;
    proration always divides by the full period, so a cut last cycle bills
    only its share.
    """

    index: int
    start: date
    end: date
    full_end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def full_days(self) -> int:
        return (self.full_end - self.start).days + 1

    @property
    def is_cut(self) -> bool:
        return self.end != self.full_end

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


# A line's quantity: a Decimal in practice; kept generic to stay Django- and money-free.
Quantity = TypeVar("Quantity")


@dataclass(frozen=True)
class Segment(Generic[Quantity]):
    """Part of a cycle billed at one quantity."""

    start: date
    end: date
    quantity: Quantity
    proration: Fraction


def months_per_cycle(frequency: Frequency | str) -> int:
    try:
        return _MONTHS[frequency]
    except KeyError:
        raise ValueError(f"{frequency!r} is not a billing frequency.") from None


@functools.lru_cache(maxsize=65_536)
def _shift_months(day: date, months: int) -> date:
    # Cached: a book's contracts share few start dates, and relativedelta costs ~30 µs.
    return day + relativedelta(months=months)


def validate_day(day: date, what: str = "The date") -> None:
    """Raise ValueError when `day` is outside the supported dates."""
    if not FIRST_SUPPORTED_DAY <= day <= LAST_SUPPORTED_DAY:
        raise ValueError(
            DAY_NOT_SUPPORTED.format(
                what=what, day=day, first=FIRST_SUPPORTED_DAY, last=LAST_SUPPORTED_DAY
            )
        )


def validate_terms(start: date, frequency: Frequency | str, end_date: date | None = None) -> None:
    """Raise ValueError when these terms make no billing cycle possible."""
    months_per_cycle(frequency)
    validate_day(start, "The start date")
    if end_date is not None:
        validate_day(end_date, "The end date")
    if end_date is not None and end_date < start:
        raise ValueError("The end date is before the start date: no billing cycle is possible.")


def cycle_start(start: date, frequency: Frequency | str, index: int) -> date:
    """First day of cycle `index`, always counted from the contract start (no drift)."""
    if index < 0:
        raise ValueError("A cycle index is never negative.")
    return _shift_months(start, index * months_per_cycle(frequency))


def cycle_at(
    start: date, frequency: Frequency | str, index: int, end_date: date | None = None
) -> Cycle:
    """Cycle `index` of a contract; ValueError if the contract has ended before it."""
    validate_terms(start, frequency, end_date)
    first = cycle_start(start, frequency, index)
    if end_date is not None and first > end_date:
        raise ValueError(f"Cycle {index} starts on {first}, after the contract ends on {end_date}.")
    full_end = cycle_start(start, frequency, index + 1) - ONE_DAY
    end = min(full_end, end_date) if end_date is not None else full_end
    return Cycle(index=index, start=first, end=end, full_end=full_end)


def cycle_index_containing(start: date, frequency: Frequency | str, day: date) -> int:
    """Index of the cycle that contains `day` (ignoring any end date)."""
    validate_day(day)
    if day < start:
        raise ValueError(f"{day} is before the contract starts on {start}.")
    months = months_per_cycle(frequency)
    index = ((day.year - start.year) * 12 + day.month - start.month) // months
    # The month estimate can be one off around month ends (Jan 31 + 1 month = Feb 28).
    while index > 0 and cycle_start(start, frequency, index) > day:
        index -= 1
    while cycle_start(start, frequency, index + 1) <= day:
        index += 1
    return index


def cycle_containing(
    start: date, frequency: Frequency | str, day: date, end_date: date | None = None
) -> Cycle:
    """The cycle containing `day`; ValueError before the start or after the end."""
    validate_terms(start, frequency, end_date)
    if end_date is not None and day > end_date:
        raise ValueError(f"{day} is after the contract ends on {end_date}.")
    return cycle_at(start, frequency, cycle_index_containing(start, frequency, day), end_date)


def iter_cycles(
    start: date, frequency: Frequency | str, end_date: date | None = None, first_index: int = 0
) -> Iterator[Cycle]:
    """Cycles from `first_index` on, until the contract's end (forever without one)."""
    index = first_index
    while end_date is None or cycle_start(start, frequency, index) <= end_date:
        yield cycle_at(start, frequency, index, end_date)
        index += 1


def next_invoice_date(cycle: Cycle, timing: Timing | str) -> date:
    """The cycle's anchor: its start in advance, its (possibly cut) end in arrears."""
    if timing == Timing.ADVANCE:
        return cycle.start
    if timing == Timing.ARREARS:
        return cycle.end
    raise ValueError(f"{timing!r} is not a billing timing.")


def invoice_date(cycle: Cycle, timing: Timing | str, offset_days: int) -> date:
    """Next Invoice Date moved by the offset; the offset never moves the period."""
    return offset_invoice_date(next_invoice_date(cycle, timing), offset_days)


def offset_invoice_date(next_invoice: date, offset_days: int) -> date:
    """The Invoice Date of a cycle anchored on `next_invoice`: the anchor moved by the offset."""
    if not MIN_OFFSET_DAYS <= offset_days <= MAX_OFFSET_DAYS:
        raise ValueError(
            f"The offset must be between {MIN_OFFSET_DAYS} and {MAX_OFFSET_DAYS} days."
        )
    return next_invoice + timedelta(days=offset_days)


def crosses_month(next_invoice: date, invoice_day: date) -> bool:
    """Whether the offset puts the Invoice Date in another month than its Next Invoice Date
    (the seed's "mind the month boundary": the invoice posts in another period)."""
    return (invoice_day.year, invoice_day.month) != (next_invoice.year, next_invoice.month)


def active_period(
    cycle: Cycle, active_from: date | None = None, active_until: date | None = None
) -> tuple[date, date] | None:
    """The part of the cycle between `active_from` and `active_until`, or None."""
    first = max(cycle.start, active_from) if active_from else cycle.start
    last = min(cycle.end, active_until) if active_until else cycle.end
    return (first, last) if first <= last else None


def proration(
    cycle: Cycle, active_from: date | None = None, active_until: date | None = None
) -> Fraction:
    """Exact share of the full cycle during which a line is active (0 to 1)."""
    period = active_period(cycle, active_from, active_until)
    if period is None:
        return Fraction(0)
    days, full_days = (period[1] - period[0]).days + 1, cycle.full_days
    # The usual line is active all through its cycle: the same 1/1 a Fraction would give,
    # without normalising a new one for each of the night's lines.
    return WHOLE if days == full_days else Fraction(days, full_days)


def remaining_proration(cycle: Cycle, effective_date: date) -> Fraction:
    """Share of the full cycle from `effective_date` to the cycle's end, both included."""
    if effective_date not in cycle:
        raise ValueError(f"{effective_date} is outside cycle {cycle.start}..{cycle.end}.")
    return Fraction((cycle.end - effective_date).days + 1, cycle.full_days)


def quantity_segments(
    cycle: Cycle,
    current_quantity: Quantity,
    changes: Iterable[tuple[date, Quantity]],
    active_from: date | None = None,
    active_until: date | None = None,
) -> list[Segment[Quantity]]:
    """Split a line's active part of the cycle where its quantity changed.

    `changes` are (effective_date, quantity_before) pairs of the line's change log;
    on a day with no later change the quantity is `current_quantity`, otherwise
    it is the quantity before the first change after that day.
    """
    period = active_period(cycle, active_from, active_until)
    if period is None:
        return []
    first, last = period
    if not changes:  # the nightly common case: one segment, no sorting
        return [Segment(first, last, current_quantity, proration(cycle, first, last))]
    ordered: Sequence[tuple[date, Quantity]] = sorted(changes, key=lambda change: change[0])
    boundaries = [day for day, _ in ordered if first < day <= last]
    starts = [first, *dict.fromkeys(boundaries)]
    segments: list[Segment[Quantity]] = []
    for position, segment_start in enumerate(starts):
        segment_end = starts[position + 1] - ONE_DAY if position + 1 < len(starts) else last
        later = [before for day, before in ordered if day > segment_start]
        quantity = later[0] if later else current_quantity
        segments.append(
            Segment(
                segment_start, segment_end, quantity, proration(cycle, segment_start, segment_end)
            )
        )
    return segments
