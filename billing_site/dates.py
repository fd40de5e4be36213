"""Dates as pages write them, in the reader's language: the pure modules' labels
(schedules.posting_periods) are English, for what is stored; these are for what is shown."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format


def month_name(month: date) -> str:
    """A posting period as pages name it: "March 2026", "mars 2026", "März 2026"."""
    return date_format(month, "F Y")


def day_name(day: date) -> str:
    """A day as pages write it (DATE_FORMAT): "1 Apr 2026", "1 avril 2026", "1. April 2026"."""
    return date_format(day)
