"""Posting periods, as plain dates: a closed calendar month dates no document, so an invoice
whose date falls in one is dated on the first open day after it. No Django import.

Warning: issued invoices were dated with this rule; changing it changes the date a
replacement of a past cycle would carry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date

from dateutil.relativedelta import relativedelta

from billing_site.errors import DayLabel


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


def day_label(day: date) -> DayLabel:
    """A date as pages write it: 1 Apr 2026."""
    return DayLabel(day)


def month_label(month: date) -> str:
    """A posting period as pages name it: March 2026."""
    return f"{month:%B %Y}"


def posting_note(scheduled: date, dated: date) -> str:
    """Why a document is dated `dated` rather than `scheduled`; empty when it is not moved.
    English, as audit lines and job messages store it: pages show it rewritten by
    `posting_notes_rewritten` in the reader's language."""
    if dated == scheduled:
        return ""
    return f"dated {day_label(dated)}: {month_label(month_of(scheduled))} is closed"


# The months as day_label and month_label write them (%b, %B in the C locale).
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_NOTE = re.compile(
    r"(?P<d>[Dd])ated (?P<day>\d{1,2}) (?P<mon>[A-Z][a-z]{2}) (?P<year>\d{4}): "
    r"(?P<month>[A-Z][a-z]+) (?P<month_year>\d{4}) is closed"
)


def posting_notes_rewritten(text: str, write: Callable[[date, date], str]) -> str:
    """`text` with every posting note in it ("dated 1 Apr 2026: March 2026 is closed")
    replaced by write(dated, closed month), capitalised where the note was."""

    def rewritten(found: re.Match[str]) -> str:
        abbreviations = [name[:3] for name in _MONTHS]
        if found["mon"] not in abbreviations or found["month"] not in _MONTHS:
            return found[0]
        try:
            day, mon = int(found["day"]), abbreviations.index(found["mon"]) + 1
            dated = date(int(found["year"]), mon, day)
        except ValueError:  # not a day ("31 Feb 2026"): not one of our notes
            return found[0]
        month = date(int(found["month_year"]), _MONTHS.index(found["month"]) + 1, 1)
        note = write(dated, month)
        return note[:1].upper() + note[1:] if found["d"] == "D" else note

    return _NOTE.sub(rewritten, text)
