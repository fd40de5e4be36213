"""The dating rule of posting periods, on plain dates: no database."""

from __future__ import annotations

import datetime

import pytest

from schedules.posting_periods import (
    first_open_day,
    month_of,
    months_around,
    posting_note,
    posting_notes_rewritten,
)

D = datetime.date
MARCH, APRIL, DECEMBER = D(2026, 3, 1), D(2026, 4, 1), D(2025, 12, 1)


@pytest.mark.parametrize(
    ("day", "closed", "expected"),
    [
        # Boundary rows first: the last and first days of a closed month, February 29.
        (D(2026, 3, 31), {MARCH}, D(2026, 4, 1)),
        (D(2026, 3, 1), {MARCH}, D(2026, 4, 1)),
        (D(2026, 2, 28), {MARCH}, D(2026, 2, 28)),
        (D(2026, 4, 1), {MARCH}, D(2026, 4, 1)),
        (D(2024, 2, 29), {D(2024, 2, 1)}, D(2024, 3, 1)),
        # Several closed months in a row: the first open one after them.
        (D(2026, 3, 15), {MARCH, APRIL}, D(2026, 5, 1)),
        (D(2025, 12, 31), {DECEMBER}, D(2026, 1, 1)),  # across the year end
        # An open month, closed months elsewhere, and none closed at all.
        (D(2026, 5, 2), {MARCH, APRIL}, D(2026, 5, 2)),
        (D(2026, 3, 15), set(), D(2026, 3, 15)),
        (D(2026, 3, 15), {APRIL}, D(2026, 3, 15)),
    ],
)
def test_an_invoice_date_in_a_closed_month_moves_to_the_first_open_day(day, closed, expected):
    assert first_open_day(day, frozenset(closed)) == expected


def test_the_note_says_which_month_is_closed_and_the_date_it_carries():
    assert posting_note(D(2026, 3, 2), D(2026, 4, 1)) == "dated 1 Apr 2026: March 2026 is closed"
    assert posting_note(D(2026, 3, 2), D(2026, 3, 2)) == ""


def test_a_month_is_named_by_its_first_day():
    assert month_of(D(2024, 2, 29)) == D(2024, 2, 1)


def test_the_page_lists_months_newest_first_around_today():
    months = months_around(D(2026, 3, 15), before=24, after=3)

    assert len(months) == 28
    assert (months[0], months[3], months[-1]) == (D(2026, 6, 1), MARCH, D(2024, 3, 1))


def _written(dated: D, month: D) -> str:
    return f"moved to {dated.isoformat()} ({month:%Y-%m})"


def test_the_notes_in_a_stored_text_are_rewritten_capitalised_where_they_were():
    stored = "INV-7, dated 1 Apr 2026: March 2026 is closed"
    line = "Dated 31 Dec 2025: November 2025 is closed"

    assert posting_notes_rewritten(stored, _written) == "INV-7, moved to 2026-04-01 (2026-03)"
    assert posting_notes_rewritten(line, _written) == "Moved to 2025-12-31 (2025-11)"


def test_a_text_without_a_note_or_with_an_unknown_month_is_left_as_it_is():
    for text in (
        "INV-7; post-invoicing requested: none",
        "dated 1 Foo 2026: March 2026 is closed",
        "dated 31 Feb 2026: March 2026 is closed",
    ):
        assert posting_notes_rewritten(text, _written) == text


def test_every_note_the_rule_writes_is_found_again():
    for month in range(1, 13):
        scheduled = D(2026, month, 2)
        dated = D(2026 + month // 12, month % 12 + 1, 1)
        note = posting_note(scheduled, dated)

        assert posting_notes_rewritten(note, _written) == _written(dated, scheduled.replace(day=1))
