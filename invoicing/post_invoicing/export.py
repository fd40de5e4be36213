"""The CSV export of invoices over a date range, for accounting (Auto-Sync's batch door).

One row per invoice dated in the range (both ends included), whatever its status:
replaced and void invoices are listed with their status, so the ledger can tell. Rows
are streamed from the database in chunks: a year of a large book never sits in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import QuerySet

from billing_site.csv_safety import SafeCsvWriter, Writable
from invoicing.models import Invoice
from invoicing.money_format import money_figure
from invoicing.post_invoicing import errors

# Each column of the CSV: its header, and the field it is read from.
COLUMNS = (
    ("number", "number"),
    ("invoice_date", "invoice_date"),
    ("due_date", "due_date"),
    ("status", "status"),
    ("kind", "kind"),
    ("contract", "contract__number"),
    ("customer", "contract__customer__name"),
    ("period_start", "period_start"),
    ("period_end", "period_end"),
    ("currency", "currency"),
    ("subtotal", "subtotal"),
    ("tax_total", "tax_total"),
    ("total", "total"),
    ("replaces", "replaces__number"),
    ("paid_at", "paid_at"),
)
CSV_HEADER = tuple(header for header, _ in COLUMNS)
FIELDS = tuple(field for _, field in COLUMNS)
# Rows fetched per round trip: a server-side cursor on PostgreSQL.
CHUNK_ROWS = 2_000


def invoices_for_export(*, start: date, end: date) -> QuerySet:
    """Invoices dated from `start` to `end` included, in date and number order."""
    if start > end:
        raise ValueError(errors.RANGE_BACKWARDS.format(start=start, end=end))
    return Invoice.objects.filter(invoice_date__range=(start, end)).order_by(
        "invoice_date", "number"
    )


def invoices_csv_rows(*, start: date, end: date) -> Iterator[list[str]]:
    """The header, then one row per invoice dated in the range."""
    return invoices_csv_rows_of(invoices_for_export(start=start, end=end))


def invoices_csv_rows_of(invoices: QuerySet[Invoice]) -> Iterator[list[str]]:
    """The header, then one row per invoice, as strings; amounts are plain figures at the
    currency's minor unit ("1008.00", "-548.80"), which a spreadsheet reads as numbers."""
    yield list(CSV_HEADER)
    rows = invoices.values_list(*FIELDS)
    for row in rows.iterator(chunk_size=CHUNK_ROWS):
        values = dict(zip(FIELDS, row, strict=True))
        for amount in ("subtotal", "tax_total", "total"):
            values[amount] = money_figure(values[amount], values["currency"])
        values["paid_at"] = values["paid_at"].isoformat() if values["paid_at"] else ""
        yield ["" if values[f] is None else str(values[f]) for f in FIELDS]


def invoices_csv_write(*, start: date, end: date, out: Writable) -> int:
    """Write the CSV export to `out`; returns the number of invoices written."""
    writer = SafeCsvWriter(out)
    count = -1  # the header is not an invoice
    for row in invoices_csv_rows(start=start, end=end):
        writer.writerow(row)
        count += 1
    return count


class EchoLines:
    """A file-like object whose write returns the line: a CSV writer over it yields the
    lines of a streamed response one at a time."""

    def write(self, value: str) -> str:
        return value
