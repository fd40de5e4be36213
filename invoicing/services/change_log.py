"""Change-log billing: quantity changes that arrived after their cycle was invoiced.

Each such change is billed once, by a line of delta × unit price × the share of its
full cycle from the effective date to the cycle's end (design rule 3). Increases go on
one change-log invoice per contract; decreases on credit notes taking back part of the
invoice of their cycle (change_log_drafting.py). Changes whose cycle is not invoiced
yet are left to that cycle's regular invoice, which splits the line at the change
instead.

Warning: these documents sit beside regular invoices already issued; changing the rule
changes what replacing a change-log invoice re-bills.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db import transaction

from billing_site.actors import Actor
from billing_site.errors import BillingError
from contracts.models import BillingContract
from invoicing import errors
from invoicing.change_log_drafting import draft_change_log
from invoicing.errors import GenerationError, PreviewOutdated
from invoicing.models import AuditEvent, Door, Invoice
from invoicing.selectors.billing_data import billing_data_load
from invoicing.selectors.drafts import (
    change_log_changes_claim,
    change_log_draft,
    changes_billed_by,
    credit_targets_load,
)
from invoicing.services.audit import audit_record
from invoicing.services.batches import BatchOutcome
from invoicing.services.change_log_writing import (
    change_log_drafts_write,
    change_log_drafts_write_isolated,
)
from invoicing.services.writing import Provenance
from schedules.models import PostingPeriod


@transaction.atomic
def change_log_documents_generate(
    *,
    contract: BillingContract,
    period_start: date,
    period_end: date,
    as_of: date,
    user: Actor = None,
    door: str = Door.MANUAL,
    expected_fingerprint: str | None = None,
) -> list[Invoice]:
    """Bill one contract's unbilled changes of the period: a change-log invoice of its
    increases, credit notes of its decreases; returns them, the invoice first."""
    if contract.status != BillingContract.Status.ACTIVE:
        raise GenerationError(
            errors.CONTRACT_NOT_ACTIVE.format(
                number=contract.number, status=contract.get_status_display().lower()
            )
        )
    changes = change_log_changes_claim(
        [contract.pk], period_start=period_start, period_end=period_end
    ).get(contract.pk)
    if not changes:
        raise GenerationError(errors.NO_CHANGES)
    drafts = change_log_draft(contract.pk, changes, as_of=as_of)
    if expected_fingerprint is not None and drafts.fingerprint() != expected_fingerprint:
        raise PreviewOutdated(drafts)
    written = change_log_drafts_write(
        [drafts], provenance=Provenance(door=door, user_id=getattr(user, "pk", None))
    )[contract.pk]
    documents = sorted(
        Invoice.objects.filter(pk__in=written.invoice_ids + written.credit_note_ids),
        key=lambda document: (document.is_credit_note, document.pk),
    )
    for invoice in documents:
        if not invoice.is_credit_note:  # credit notes are audited as they are written
            audit_record(
                user=user,
                door=door,
                action=AuditEvent.Action.INVOICE_GENERATED,
                contract=contract,
                invoice=invoice,
                detail=f"{invoice.number} (change log)",
            )
    return documents


@transaction.atomic
def change_log_invoice_replace(*, invoice: Invoice, as_of: date, user: Actor = None) -> Invoice:
    """Re-bill the very changes a change-log invoice billed, on a new one replacing it."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_credit_note:
        raise GenerationError(invoice_not_correctable(invoice))
    if invoice.kind != Invoice.Kind.CHANGE_LOG:
        raise GenerationError(errors.ONLY_CHANGE_LOG.format(number=invoice.number))
    if invoice.is_paid:
        raise GenerationError(errors.PAID_CANNOT_BE_REPLACED.format(number=invoice.number))
    changes = changes_billed_by(invoice.pk)
    if not changes:  # it bills days a contract's end had credited, not changes: void it
        raise GenerationError(errors.NO_CHANGES_TO_REPLACE.format(number=invoice.number))
    drafts = change_log_draft(invoice.contract_id, changes, as_of=as_of, replaces_id=invoice.pk)
    if drafts.invoice is None:  # an invoice of decreases only, billed before credit notes
        raise GenerationError(errors.CHANGE_LOG_NOTHING_TO_REPLACE.format(number=invoice.number))
    written = change_log_drafts_write(
        [drafts], provenance=Provenance(door=Door.MANUAL, user_id=getattr(user, "pk", None))
    )[invoice.contract_id]
    replacement = Invoice.objects.get(pk=written.invoice_ids[0])
    audit_record(
        user=user,
        door=Door.MANUAL,
        action=AuditEvent.Action.INVOICE_REPLACED,
        contract=invoice.contract,
        invoice=replacement,
        detail=f"{replacement.number} replaces {invoice.number}",
    )
    return replacement


def invoice_not_correctable(note: Invoice) -> str:
    """Why a credit note cannot be voided or replaced, and how one undoes it."""
    if note.billed_changes.exists():
        return errors.CHANGE_LOG_CREDIT_NOT_CORRECTABLE.format(number=note.number)
    return errors.CREDIT_NOTE_NOT_CORRECTABLE.format(number=note.number)


def batch_generate_change_log(
    contract_ids: Collection[int],
    *,
    period_start: date,
    period_end: date,
    as_of: date,
    provenance: Provenance,
) -> BatchOutcome:
    """Each contract's change-log billing: an invoice of its increases, credit notes of
    its decreases (a bulk run's tab, the nightly option)."""
    outcome = BatchOutcome()
    claimed = change_log_changes_claim(
        contract_ids, period_start=period_start, period_end=period_end
    )
    data = billing_data_load(list(claimed), changes_after=None)
    targets = credit_targets_load(data, claimed)
    closed_months = PostingPeriod.objects.closed_months(since=as_of)
    drafts = []
    for contract_id in contract_ids:
        changes = claimed.get(contract_id)
        if not changes:
            outcome.skipped[contract_id] = errors.NO_CHANGES
            continue
        try:
            drafts.append(
                draft_change_log(
                    data=data,
                    contract_id=contract_id,
                    changes=changes,
                    targets=targets.get(contract_id, {}),
                    as_of=as_of,
                    closed_months=closed_months,
                )
            )
        except BillingError as error:
            outcome.failed[contract_id] = str(error)
    change_log_drafts_write_isolated(drafts, provenance=provenance, outcome=outcome)
    return outcome
