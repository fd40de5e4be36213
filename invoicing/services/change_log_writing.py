"""Write contracts' change-log billing: the invoices of their increases and the credit
notes of their decreases, set-based, each change billed by exactly one document.

A credit note takes back part of an issued invoice, so the credited invoices are locked
first: `credit_notes_write` then refuses a credit past what is left of one. A batch that
is refused is written again contract by contract, so that only the offending contract
fails, with nothing written for it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from billing_site.bulk import update_rows
from invoicing.change_log_drafting import ChangeLogDrafts, CreditDraft
from invoicing.credit_drafts import CreditLineDraft, CreditNoteDraft
from invoicing.errors import GenerationError
from invoicing.models import Invoice
from invoicing.services.batches import BatchOutcome, posting_notes_record
from invoicing.services.crediting import credit_notes_write
from invoicing.services.writing import Provenance, drafts_write

logger = logging.getLogger(__name__)

# The reason a decrease's credit note gives: it is never voided, so it says how to undo it.
DECREASE_REASON = (
    "Quantity decreased after the cycle was invoiced (change log). To undo it, record a new "
    "quantity change: the next change-log billing invoices it."
)


@dataclass
class ChangeLogWritten:
    """The ids one contract's change-log billing wrote."""

    invoice_ids: list[int] = field(default_factory=list)
    credit_note_ids: list[int] = field(default_factory=list)


def change_log_drafts_write(
    drafts: Sequence[ChangeLogDrafts], *, provenance: Provenance
) -> dict[int, ChangeLogWritten]:
    """Write every contract's invoice and credit notes; returns what each got.

    Must run inside the transaction that claimed the changes. Refused (GenerationError)
    when a credit note would take back more than is left of its invoice."""
    notes = [note for draft in drafts for note in draft.credit_notes]
    # Locked before any number is taken: a credit racing on one of these invoices (a void,
    # a replace) waits, and what is left of it is read after it.
    list(
        Invoice.objects.select_for_update()
        .filter(pk__in={note.invoice_id for note in notes})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    invoices = [draft.invoice for draft in drafts if draft.invoice is not None]
    invoice_ids = drafts_write(invoices, provenance=provenance)
    note_ids = credit_notes_write(
        _credit_notes(notes),
        door=provenance.door,
        user_id=provenance.user_id,
        post_tasks=provenance.post_tasks,
    )
    _jobs_link(notes, note_ids, provenance)
    written: dict[int, ChangeLogWritten] = {
        draft.contract_id: ChangeLogWritten() for draft in drafts
    }
    for invoice, invoice_id in zip(invoices, invoice_ids, strict=True):
        written[invoice.contract_id].invoice_ids.append(invoice_id)
    for note, note_id in zip(notes, note_ids, strict=True):
        written[note.contract_id].credit_note_ids.append(note_id)
    return written


def change_log_drafts_write_isolated(
    drafts: Sequence[ChangeLogDrafts], *, provenance: Provenance, outcome: BatchOutcome
) -> None:
    """Write the drafts set-based; if the batch is refused, contract by contract so that
    only the offending contract fails."""
    try:
        with transaction.atomic():
            written = change_log_drafts_write(drafts, provenance=provenance)
    except (GenerationError, DatabaseError):
        logger.warning("Change-log batch refused; writing contract by contract", exc_info=True)
        written = {}
        for draft in drafts:
            try:
                with transaction.atomic():
                    written.update(change_log_drafts_write([draft], provenance=provenance))
            except GenerationError as error:
                outcome.failed[draft.contract_id] = str(error)
            except DatabaseError as error:
                outcome.failed[draft.contract_id] = f"Refused by the database: {error}"
    for contract_id, documents in written.items():
        if documents.invoice_ids:
            outcome.invoices[contract_id].extend(documents.invoice_ids)
        if documents.credit_note_ids:
            outcome.credit_notes[contract_id].extend(documents.credit_note_ids)
    invoices = [d.invoice for d in drafts if d.invoice is not None and d.contract_id in written]
    posting_notes_record(
        invoices,
        [written[invoice.contract_id].invoice_ids[0] for invoice in invoices],
        provenance=provenance,
        outcome=outcome,
    )


def _credit_notes(notes: Sequence[CreditDraft]) -> list[CreditNoteDraft]:
    """The credit notes to write; a decrease split over several invoices' credit notes
    (decrease_credits.py) is billed by the first of them."""
    billed: set[int] = set()
    drafts = []
    for note in notes:
        covered = [change for change in note.covered_change_ids if change not in billed]
        billed.update(covered)
        drafts.append(_credit_note(note, covered))
    return drafts


def _credit_note(note: CreditDraft, covered: Sequence[int]) -> CreditNoteDraft:
    return CreditNoteDraft(
        invoice_id=note.invoice_id,
        reason=DECREASE_REASON,
        lines=[
            CreditLineDraft(
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                period_start=line.period_start,
                period_end=line.period_end,
                proration=line.proration_decimal,
                amount=line.amount,
                tax_rate=line.tax_rate,
                tax_amount=line.tax_amount,
                credited_line_id=credited_line_id,
                contract_line_id=line.contract_line_id,
                change_id=line.change_id,
            )
            for line, credited_line_id in zip(note.lines, note.credited_line_ids, strict=True)
        ],
        period=note.period,
        covered_change_ids=covered,
    )


def _jobs_link(
    notes: Sequence[CreditDraft], note_ids: Sequence[int], provenance: Provenance
) -> None:
    """A run's credit notes name their job, as its invoices do: its page lists them."""
    job_ids = provenance.job_ids or {}
    update_rows(
        Invoice,
        ("id", "job_id"),
        [
            (note_id, job_ids[note.contract_id])
            for note, note_id in zip(notes, note_ids, strict=True)
            if note.contract_id in job_ids
        ],
    )
