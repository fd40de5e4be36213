"""Dates as pages write them, in the reader's language: the pure modules' labels
(schedules.posting_periods) are English, for what is stored; these are for what is shown."""

from __future__ import annotations

from datetime import date

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from billing_site.errors import DayLabel
from schedules.posting_periods import posting_notes_rewritten


def month_name(month: date) -> str:
    """A posting period as pages name it: "March 2026", "mars 2026", "März 2026"."""
    return date_format(month, "F Y")


def day_name(day: date) -> str:
    """A day as pages write it (DATE_FORMAT): "1 Apr 2026", "1 avril 2026", "1. April 2026"."""
    return date_format(day)


def message_day(day: date) -> str:
    """A day in a formatted Message (the writer accounts installs): as pages write it, or as
    the Message's English is written when no language is active (override(None))."""
    if translation.get_language() is None:
        return str.__str__(DayLabel(day))
    return day_name(day)


def posting_notes_shown(text: str) -> str:
    """`text` with its posting notes, stored in English, in the reader's language:
    "dated 1 Apr 2026: March 2026 is closed", "datée du 1 avril 2026 : mars 2026 est
    clôturé"."""
    return posting_notes_rewritten(text, _posting_note)


def _posting_note(dated: date, month: date) -> str:
    return gettext("dated {day}: {month} is closed").format(
        day=day_name(dated), month=month_name(month)
    )
