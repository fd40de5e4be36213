"""Folding the invoice totals' rows back to one per group (see invoicing/totals/models.py)."""

from __future__ import annotations

from django.db import connection

GROUP = "invoice_date, due_date, currency, status, kind, document, paid, fully_credited"
# Deleted and written again in one statement: rows another transaction appends meanwhile
# are not seen by the DELETE, so they stay and still count.
COMPACT = f"""
    WITH folded AS (DELETE FROM invoicing_invoicetotal RETURNING *)
    INSERT INTO invoicing_invoicetotal
        ({GROUP}, invoices, subtotal, tax_total, total, credited_total)
    SELECT {GROUP}, sum(invoices), sum(subtotal), sum(tax_total), sum(total), sum(credited_total)
    FROM folded GROUP BY {GROUP}
    HAVING sum(invoices) <> 0 OR sum(subtotal) <> 0 OR sum(tax_total) <> 0 OR sum(total) <> 0
        OR sum(credited_total) <> 0
"""


def invoice_totals_compact() -> int:
    """One row per group, none for groups left empty; returns the rows kept."""
    with connection.cursor() as cursor:
        cursor.execute(COMPACT)
        return cursor.rowcount
