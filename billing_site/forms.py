"""Form helpers every app's forms share."""

from __future__ import annotations

from django import forms


def iso_date_input() -> forms.DateInput:
    """A browser date picker: it only reads ISO dates, whatever the locale."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
