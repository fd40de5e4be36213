"""Template tags of posting periods: why an invoice carries its date, for the job page (a
run's rows say it in each job's message), and the notes in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

from billing_site.dates import posting_notes_shown
from invoicing.selectors.drafts import posting_notes_of

register = template.Library()


@register.simple_tag
def posting_notes(invoices: Iterable[Any]) -> dict[int, str]:
    """Invoice id -> the note of a closed posting period that moved it (one query)."""
    return posting_notes_of([invoice.pk for invoice in invoices])


@register.filter
def note_for(notes: Mapping[int, str], invoice: Any) -> str:
    return notes.get(invoice.pk, "")


@register.filter
def posting_notes_translated(text: str) -> str:
    """The posting notes in `text` (stored in English) in the reader's language."""
    return posting_notes_shown(str(text)) if text else text
