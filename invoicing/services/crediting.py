"""Credit notes: what an issued invoice takes back, as a document of its own.

An issued invoice is never altered. A correction is a credit note: a row of the invoice
table whose document is a credit note, numbered in the credit notes' own gap-free series,
dated today (on the first open day when today's month is closed), naming the invoice it
credits and why, with negative lines. `credit_notes_write` writes any such drafts, set-based
(a void or a replace takes back what is left of an invoice: `credit_notes_issue_full`; other
doors draft the lines they take back). The database keeps an invoice's credits within its
total (`invoice_credited_within_total`): credits racing on one invoice serialize on its
row, and the one that would exceed it fails.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from billing_site.bulk import Row, insert_rows, reserve_ids, update_rows
from billing_site.locales import site_locale
from contracts.models import BillingSettings, ContractChange
from invoicing import errors
from invoicing.credit_drafts import CreditNoteDraft
from invoicing.errors import GenerationError
from invoicing.models import (
    INVOICE_DOCUMENT_COLUMNS,
    INVOICE_LINE_FIGURES,
    AuditEvent,
    Invoice,
    InvoiceLine,
)
from invoicing.money_format import format_money
from invoicing.post_invoicing.scheduling import post_invoicing_schedule
from invoicing.selectors.lines_left import invoice_lines_left
from invoicing.services.numbering import invoice_numbers_allocate
from schedules.models import PostingPeriod
from schedules.posting_periods import first_open_day

CREDIT_NOTE_COLUMNS = (
    "id",
    "number",
    "document",
    "credits_id",
    "credit_reason",
    *INVOICE_DOCUMENT_COLUMNS,
    "generated_by_id",
    "generated_via",
    "created_at",
)
CREDIT_LINE_COLUMNS: tuple[str, ...] = (
    "invoice_id",
    "position",
    "contract_line_id",
    "change_id",
    "credited_line_id",
    *INVOICE_LINE_FIGURES,
)
INVOICE_FIELDS = (
    "id",
    "number",
    "document",
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
REASON_CHARS = 300


def credit_notes_write(
    drafts: Sequence[CreditNoteDraft],
    *,
    door: str,
    user_id: int | None = None,
    post_tasks: Mapping[str, bool] | None = None,
) -> list[int]:
    """Write the drafts as issued credit notes, in the drafts' order; returns their ids.

    The caller has locked the credited invoices (select_for_update) in its transaction.
    Refused with a message, writing nothing, when a draft credits what is not an invoice,
    or more than is left of it."""
    if not drafts:
        return []
    invoices = {
        row.id: row
        for row in Invoice.objects.filter(pk__in=[d.invoice_id for d in drafts]).values_list(
            *INVOICE_FIELDS, named=True
        )
    }
    credited = _credited_within(drafts, invoices)
    ids = reserve_ids(Invoice, len(drafts))
    insert_rows(InvoiceLine, CREDIT_LINE_COLUMNS, _line_rows(drafts, ids))
    update_rows(Invoice, ("id", "credited_total"), list(credited.items()))
    _changes_billed_by(drafts, ids)
    dated = first_open_day(timezone.localdate(), PostingPeriod.objects.closed_months())
    # Numbers last, as for invoices: the series' row lock is held until commit.
    prefix = BillingSettings.load().credit_note_number_prefix
    numbers = invoice_numbers_allocate(len(drafts), prefix=prefix)
    now = timezone.now()
    insert_rows(
        Invoice,
        CREDIT_NOTE_COLUMNS,
        [
            _note_row(note_id, number, draft, invoices[draft.invoice_id], dated, door, user_id, now)
            for note_id, number, draft in zip(ids, numbers, drafts, strict=True)
        ],
    )
    _audit(drafts, invoices, ids, numbers, door=door, user_id=user_id)
    post_invoicing_schedule(
        invoice_ids=ids,
        contract_ids=[invoices[draft.invoice_id].contract_id for draft in drafts],
        requested={**(post_tasks or {}), **NEVER_CHARGED},
    )
    return ids


def credit_notes_issue_full(
    *,
    invoice_ids: Collection[int],
    reason: str,
    door: str,
    user_id: int | None = None,
    post_tasks: Mapping[str, bool] | None = None,
) -> dict[int, int]:
    """Credit what is left of each invoice, in full; returns {invoice id: credit note id}.

    The caller has locked the invoices. An invoice with nothing left to credit (or whose
    total is not above zero: an old change-log "invoice" that was itself a credit) gets
    none."""
    invoices = [
        row
        for row in Invoice.objects.filter(pk__in=list(invoice_ids), document="invoice")
        .order_by("pk")
        .values_list("id", "total", "credited_total", named=True)
        if row.total > 0 and row.credited_total < row.total
    ]
    lines = invoice_lines_left(invoice.id for invoice in invoices)
    drafts = [
        CreditNoteDraft(
            invoice_id=invoice.id,
            reason=reason,
            lines=[line.taken_back() for line in lines.get(invoice.id, []) if line.has_left],
        )
        for invoice in invoices
    ]
    ids = credit_notes_write(drafts, door=door, user_id=user_id, post_tasks=post_tasks)
    return {draft.invoice_id: note_id for draft, note_id in zip(drafts, ids, strict=True)}


def _credited_within(
    drafts: Sequence[CreditNoteDraft], invoices: Mapping[int, Any]
) -> dict[int, Decimal]:
    """Each credited invoice's credited total once the drafts are written; refuses a draft
    that credits what is not an invoice, or more than is left of it."""
    credited: dict[int, Decimal] = {}
    for draft in drafts:
        invoice = invoices[draft.invoice_id]
        if invoice.document != Invoice.Document.INVOICE:
            raise GenerationError(errors.CREDIT_OF_CREDIT_NOTE.format(number=invoice.number))
        if not draft.lines or draft.total >= 0:
            raise GenerationError(errors.CREDIT_NOTHING.format(number=invoice.number))
        after = credited.get(invoice.id, invoice.credited_total) - draft.total
        if after > invoice.total:
            left = format_money(
                invoice.total - invoice.credited_total, invoice.currency, site_locale()
            )
            raise GenerationError(
                errors.CREDIT_EXCEEDS_LEFT.format(number=invoice.number, left=left)
            )
        credited[invoice.id] = after
    return credited


def _line_rows(drafts: Sequence[CreditNoteDraft], ids: Sequence[int]) -> list[Row]:
    return [
        (
            note_id,
            position,
            line.contract_line_id,
            line.change_id,
            line.credited_line_id,
            line.description,
            line.quantity,
            line.unit_price,
            line.period_start,
            line.period_end,
            line.proration,
            line.amount,
            line.tax_rate,
            line.tax_amount,
        )
        for draft, note_id in zip(drafts, ids, strict=True)
        for position, line in enumerate(draft.lines)
    ]


def _changes_billed_by(drafts: Sequence[CreditNoteDraft], ids: Sequence[int]) -> None:
    update_rows(
        ContractChange,
        ("id", "billed_invoice_id"),
        [
            (change_id, note_id)
            for draft, note_id in zip(drafts, ids, strict=True)
            for change_id in draft.covered_change_ids
        ],
    )


def _note_row(
    note_id: int,
    number: str,
    draft: CreditNoteDraft,
    invoice: Any,
    dated: date,
    door: str,
    user_id: int | None,
    now: Any,
) -> Row:
    start, end = draft.period or (invoice.period_start, invoice.period_end)
    return (
        note_id,
        number,
        Invoice.Document.CREDIT_NOTE,
        invoice.id,
        draft.reason[:REASON_CHARS],
        invoice.contract_id,
        invoice.schedule_id,
        invoice.kind,
        start,
        end,
        dated,
        dated,  # nothing falls due on a credit note
        invoice.currency,
        draft.subtotal,
        draft.tax_total,
        draft.total,
        Invoice.Status.ISSUED,
        user_id,
        door,
        now,
    )


def _audit(
    drafts: Sequence[CreditNoteDraft],
    invoices: Mapping[int, Any],
    note_ids: Sequence[int],
    numbers: Sequence[str],
    *,
    door: str,
    user_id: int | None,
) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_id=user_id,
            door=door,
            action=AuditEvent.Action.CREDIT_NOTE_ISSUED,
            contract_id=invoices[draft.invoice_id].contract_id,
            invoice_id=note_id,
            detail=f"{number} credits {invoices[draft.invoice_id].number}"
            + (f": {draft.reason}" if draft.reason else ""),
        )
        for draft, note_id, number in zip(drafts, note_ids, numbers, strict=True)
    )
