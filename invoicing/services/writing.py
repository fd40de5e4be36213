"""Write drafted invoices set-based: a handful of statements for a whole batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from billing_site.bulk import Row, insert_rows, reserve_ids, update_rows
from contracts.models import ContractChange
from invoicing.drafting import InvoiceDraft
from invoicing.models import INVOICE_DOCUMENT_COLUMNS, INVOICE_LINE_FIGURES, Invoice, InvoiceLine
from invoicing.post_invoicing.scheduling import post_invoicing_schedule
from invoicing.services.crediting import credit_notes_issue_full
from invoicing.services.numbering import invoice_numbers_allocate
from schedules.models import BillingSchedule
from schedules.services import contracts_refresh_next_invoice_date

INVOICE_COLUMNS = (
    "id",
    "number",
    *INVOICE_DOCUMENT_COLUMNS,
    "replaces_id",
    "generated_by_id",
    "generated_via",
    "job_id",
    "created_at",
)
REPLACED_REASON = "Replaced by a corrected invoice for the same cycle."
LINE_COLUMNS = ("invoice_id", "position", "contract_line_id", "change_id", *INVOICE_LINE_FIGURES)


@dataclass(frozen=True)
class Provenance:
    """Who or what generated a batch: kept on every invoice for the audit trail."""

    door: str
    user_id: int | None = None
    job_ids: dict[int, int] | None = None  # contract id -> generation job id
    # {"auto_send": bool, "auto_charge": bool, "auto_sync": bool} chosen for this
    # generation; None: each contract's own defaults.
    post_tasks: Mapping[str, bool] | None = None


def drafts_write(
    drafts: Sequence[InvoiceDraft],
    *,
    provenance: Provenance,
    replaces: dict[int, int] | None = None,
) -> list[int]:
    """Insert the drafts as issued invoices and mark their schedules Invoiced.

    Must run inside the transaction that locked the drafts' schedules. `replaces`
    maps a schedule id to the live invoice the new one replaces. Returns the new
    invoice ids in the drafts' order.
    """
    if not drafts:
        return []
    replaced = [_replaced_id(draft, replaces) for draft in drafts]
    now = timezone.now()
    if any(replaced):
        # Before the new rows: one live regular invoice per schedule is checked at insert.
        Invoice.objects.filter(pk__in=[r for r in replaced if r]).update(
            status=Invoice.Status.REPLACED
        )
    ids = _invoices_insert(drafts, provenance, replaced, now)
    if any(replaced):
        # The old invoice is never altered: a credit note takes it back, in this transaction.
        credit_notes_issue_full(
            invoice_ids=[r for r in replaced if r],
            reason=REPLACED_REASON,
            door=provenance.door,
            user_id=provenance.user_id,
            post_tasks=provenance.post_tasks,
        )
        # The changes an old invoice billed are billed by its replacement now.
        _changes_move({old: new for old, new in zip(replaced, ids, strict=True) if old})
    post_invoicing_schedule(
        invoice_ids=ids,
        contract_ids=[draft.contract_id for draft in drafts],
        requested=provenance.post_tasks,
    )
    return ids


def _invoices_insert(
    drafts: Sequence[InvoiceDraft],
    provenance: Provenance,
    replaced: Sequence[int | None],
    now: datetime,
) -> list[int]:
    """Insert invoices and lines, mark their schedules and changes; returns the invoice ids."""
    ids = reserve_ids(Invoice, len(drafts))
    # Lines before their invoices: Django declares the foreign key deferred, checked at commit.
    insert_rows(InvoiceLine, LINE_COLUMNS, _line_rows(drafts, ids))
    _schedules_and_changes_mark(drafts, ids, now)
    contracts_refresh_next_invoice_date({draft.contract_id for draft in drafts})
    # Numbers last: their row lock holds other generators back until this transaction
    # commits, so the less that follows, the more workers run side by side.
    numbers = invoice_numbers_allocate(len(drafts))
    insert_rows(
        Invoice, INVOICE_COLUMNS, _invoice_rows(drafts, ids, numbers, provenance, replaced, now)
    )
    return ids


def _replaced_id(draft: InvoiceDraft, replaces: dict[int, int] | None) -> int | None:
    if draft.replaces_id is not None:
        return draft.replaces_id
    if draft.schedule_id is None:  # a change-log draft replaces only what it names
        return None
    return (replaces or {}).get(draft.schedule_id)


def _changes_move(new_by_old: dict[int, int]) -> None:
    changes = ContractChange.objects.filter(billed_invoice_id__in=new_by_old.keys())
    update_rows(
        ContractChange,
        ("id", "billed_invoice_id"),
        [(pk, new_by_old[old]) for pk, old in changes.values_list("id", "billed_invoice_id")],
    )


def _schedules_and_changes_mark(
    drafts: Sequence[InvoiceDraft], ids: Sequence[int], now: datetime
) -> None:
    update_rows(
        BillingSchedule,
        ("id", "status", "resulting_invoice_id", "updated_at"),
        [
            (draft.schedule_id, BillingSchedule.Status.INVOICED, invoice_id, now)
            for draft, invoice_id in zip(drafts, ids, strict=True)
            if draft.schedule_id is not None
        ],
    )
    update_rows(
        ContractChange,
        ("id", "billed_invoice_id"),
        [
            (change_id, invoice_id)
            for draft, invoice_id in zip(drafts, ids, strict=True)
            for change_id in draft.covered_change_ids
        ],
    )


def _invoice_rows(
    drafts: Sequence[InvoiceDraft],
    ids: Sequence[int],
    numbers: Sequence[str],
    provenance: Provenance,
    replaced: Sequence[int | None],
    now: datetime,
) -> list[Row]:
    job_ids = provenance.job_ids or {}
    return [
        (
            invoice_id,
            number,
            draft.contract_id,
            draft.schedule_id,
            draft.kind,
            draft.period_start,
            draft.period_end,
            draft.invoice_date,
            draft.due_date,
            draft.currency,
            *draft.totals,  # subtotal, tax total, total: summed once
            Invoice.Status.ISSUED,
            replaced_id,
            provenance.user_id,
            provenance.door,
            job_ids.get(draft.contract_id),
            now,
        )
        for invoice_id, number, draft, replaced_id in zip(
            ids, numbers, drafts, replaced, strict=True
        )
    ]


def _line_rows(drafts: Sequence[InvoiceDraft], invoice_ids: Sequence[int]) -> list[Row]:
    return [
        (
            invoice_id,
            position,
            line.contract_line_id,
            line.change_id,
            line.description,
            line.quantity,
            line.unit_price,
            line.period_start,
            line.period_end,
            line.proration_decimal,
            line.amount,
            line.tax_rate,
            line.tax_amount,
        )
        for draft, invoice_id in zip(drafts, invoice_ids, strict=True)
        for position, line in enumerate(draft.lines)
    ]
