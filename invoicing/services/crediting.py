"""Credit notes: what an issued invoice takes back, as a document of its own.

An issued invoice is never altered. Voiding or replacing it issues a credit note for what
is left of it (all of it, unless part was credited before): a row of the invoice table
whose document is a credit note, numbered in the credit notes' own gap-free series, dated
today (on the first open day when today's month is closed), naming the invoice it credits
and why, with one line per invoice line taking back that line's amount and tax exactly
(nothing is rounded again). The database keeps an invoice's credits within its total
(`invoice_credited_within_total`): two credits racing on one invoice serialize on its
row, and the one that would exceed it fails.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing_site.bulk import Row, insert_rows, reserve_ids, update_rows
from contracts.models import BillingSettings
from invoicing.models import INVOICE_LINE_FIGURES, AuditEvent, Invoice, InvoiceLine
from invoicing.post_invoicing.scheduling import post_invoicing_schedule
from invoicing.services.numbering import invoice_numbers_allocate
from schedules.models import PostingPeriod
from schedules.posting_periods import first_open_day

CREDIT_NOTE_COLUMNS = (
    "id",
    "number",
    "document",
    "credits_id",
    "credit_reason",
    "contract_id",
    "schedule_id",
    "kind",
    "period_start",
    "period_end",
    "invoice_date",
    "due_date",
    "currency",
    "subtotal",
    "tax_total",
    "total",
    "status",
    "generated_by_id",
    "generated_via",
    "created_at",
)
CREDIT_LINE_COLUMNS: tuple[str, ...] = (
    "invoice_id",
    "position",
    "contract_line_id",
    "credited_line_id",
    *INVOICE_LINE_FIGURES,
)
INVOICE_FIELDS = (
    "id",
    "number",
    "contract_id",
    "schedule_id",
    "kind",
    "period_start",
    "period_end",
    "currency",
    "total",
    "credited_total",
)
# A credit note never charges a customer: it is sent and synced as the contract asks.
NEVER_CHARGED = {"auto_charge": False}


def credit_notes_issue_full(
    *,
    invoice_ids: Collection[int],
    reason: str,
    door: str,
    user_id: int | None = None,
    post_tasks: Mapping[str, bool] | None = None,
) -> dict[int, int]:
    """Credit what is left of each invoice, in full; returns {invoice id: credit note id}.

    The caller has locked the invoices (select_for_update) in its transaction. An invoice
    with nothing left to credit (or whose total is not above zero: an old change-log
    "invoice" that was itself a credit) gets none."""
    invoices = [
        row
        for row in Invoice.objects.filter(pk__in=list(invoice_ids), document="invoice")
        .order_by("pk")
        .values_list(*INVOICE_FIELDS, named=True)
        if row.total > 0 and row.credited_total < row.total
    ]
    if not invoices:
        return {}
    lines = _lines_left(invoice.id for invoice in invoices)
    ids = reserve_ids(Invoice, len(invoices))
    credit_rows = [
        _credit_lines(lines.get(invoice.id, []), note)
        for invoice, note in zip(invoices, ids, strict=True)
    ]
    insert_rows(InvoiceLine, CREDIT_LINE_COLUMNS, [row for rows in credit_rows for row in rows])
    totals = [_totals(rows) for rows in credit_rows]
    update_rows(
        Invoice,
        ("id", "credited_total"),
        [
            (invoice.id, invoice.credited_total - total)
            for invoice, (_, _, total) in zip(invoices, totals, strict=True)
        ],
    )
    dated = first_open_day(timezone.localdate(), PostingPeriod.objects.closed_months())
    now = timezone.now()
    # Numbers last, as for invoices: the series' row lock is held until commit.
    prefix = BillingSettings.load().credit_note_number_prefix
    numbers = invoice_numbers_allocate(len(invoices), prefix=prefix)
    insert_rows(
        Invoice,
        CREDIT_NOTE_COLUMNS,
        [
            (
                note_id,
                number,
                Invoice.Document.CREDIT_NOTE,
                invoice.id,
                reason[:300],
                invoice.contract_id,
                invoice.schedule_id,
                invoice.kind,
                invoice.period_start,
                invoice.period_end,
                dated,
                dated,  # nothing falls due on a credit note
                invoice.currency,
                *note_totals,
                Invoice.Status.ISSUED,
                user_id,
                door,
                now,
            )
            for invoice, note_id, number, note_totals in zip(
                invoices, ids, numbers, totals, strict=True
            )
        ],
    )
    _audit(invoices, ids, numbers, reason=reason, door=door, user_id=user_id)
    post_invoicing_schedule(
        invoice_ids=ids,
        contract_ids=[invoice.contract_id for invoice in invoices],
        requested={**(post_tasks or {}), **NEVER_CHARGED},
    )
    return {invoice.id: note_id for invoice, note_id in zip(invoices, ids, strict=True)}


def _lines_left(invoice_ids: Iterable[int]) -> dict[int, list]:
    """Each invoice's lines with what earlier credit notes took back from them."""
    rows = (
        InvoiceLine.objects.filter(invoice_id__in=list(invoice_ids))
        .annotate(
            amount_credited=Coalesce(Sum("credit_lines__amount"), Decimal(0)),
            tax_credited=Coalesce(Sum("credit_lines__tax_amount"), Decimal(0)),
        )
        .order_by("invoice_id", "position")
        .values_list(
            "id",
            "invoice_id",
            "contract_line_id",
            *INVOICE_LINE_FIGURES,
            "amount_credited",
            "tax_credited",
            named=True,
        )
    )
    by_invoice: dict[int, list] = {}
    for row in rows:
        by_invoice.setdefault(row.invoice_id, []).append(row)
    return by_invoice


def _credit_lines(lines: list, note_id: int) -> list[Row]:
    """The credit note's lines: each invoice line's amount and tax left, taken back.

    A line never credited before is taken back as it was billed (its quantity negated);
    one partly credited already is taken back as one unit of what is left of it."""
    rows: list[Row] = []
    for line in lines:
        amount_left = line.amount + line.amount_credited  # credits are negative
        tax_left = line.tax_amount + line.tax_credited
        if not amount_left and not tax_left:
            continue
        untouched = not line.amount_credited and not line.tax_credited
        rows.append(
            (
                note_id,
                len(rows),
                line.contract_line_id,
                line.id,
                line.description,
                -line.quantity if untouched else Decimal(-1),
                line.unit_price if untouched else amount_left,
                line.period_start,
                line.period_end,
                line.proration if untouched else Decimal(1),
                -amount_left,
                line.tax_rate,
                -tax_left,
            )
        )
    return rows


def _totals(rows: list[Row]) -> tuple[Decimal, Decimal, Decimal]:
    amount_at = CREDIT_LINE_COLUMNS.index("amount")
    tax_at = CREDIT_LINE_COLUMNS.index("tax_amount")
    subtotal = sum((row[amount_at] for row in rows), Decimal(0))
    tax_total = sum((row[tax_at] for row in rows), Decimal(0))
    return subtotal, tax_total, subtotal + tax_total


def _audit(
    invoices: Sequence[Any],
    note_ids: Sequence[int],
    numbers: Sequence[str],
    *,
    reason: str,
    door: str,
    user_id: int | None,
) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_id=user_id,
            door=door,
            action=AuditEvent.Action.CREDIT_NOTE_ISSUED,
            contract_id=invoice.contract_id,
            invoice_id=note_id,
            detail=f"{number} credits {invoice.number}" + (f": {reason}" if reason else ""),
        )
        for invoice, note_id, number in zip(invoices, note_ids, numbers, strict=True)
    )
