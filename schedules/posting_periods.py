"""Posting periods, as plain dates: a closed calendar month dates no document, so an invoice
whose date falls in one is dated on the first open day after it. No Django import.

Warning: issued invoices were dated with this rule; changing it changes the date a
replacement of a past cycle would carry.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from dateutil.relativedelta import relativedelta


def month_of(day: date) -> date:
    """The posting period containing `day`, named by its first day."""
    return day.replace(day=1)


def first_open_day(day: date, closed_months: Collection[date]) -> date:
    """`day` itself when its month is open; else the 1st of the first open month after it.
    `closed_months` holds first days of months."""
    if not closed_months:  # the usual night: no month closed from the batch's dates on
        return day
    month = month_of(day)
    if month not in closed_months:
        return day
    while month in closed_months:
        month += relativedelta(months=1)
    return month


def months_around(today: date, *, before: int, after: int) -> list[date]:
    """The first days of the `before` months up to today's, today's, and `after` more,
    newest first (the posting periods page lists them so)."""
    current = month_of(today)
    return [current + relativedelta(months=n) for n in range(after, -before - 1, -1)]


def day_label(day: date) -> str:
    """A date as pages write it: 1 Apr 2026."""
    return f"{day.day} {day:%b %Y}"


def month_label(month: date) -> str:
    """A posting period as pages name it: March 2026."""
    return f"{month:%B %Y}"


def posting_note(scheduled: date, dated: date) -> str:
    """Why a document is dated `dated` rather than `scheduled`; empty when it is not moved."""
    if dated == scheduled:
        return ""
    return f"dated {day_label(dated)}: {month_label(month_of(scheduled))} is closed"
