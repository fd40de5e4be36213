"""Change-log invoices: quantity changes that arrived after their cycle was invoiced.

Each such change is billed once, by a line of delta × unit price × the share of its
full cycle from the effective date to the cycle's end (design rule 3); a decrease
gives a credit line. Changes whose cycle is not invoiced yet are left to that cycle's
regular invoice, which splits the line at the change instead.

Warning: these lines sit beside regular invoices already issued; changing the rule
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
from invoicing.drafting import draft_change_log_invoice
from invoicing.errors import GenerationError, PreviewOutdated
from invoicing.models import AuditEvent, Door, Invoice
from invoicing.selectors.billing_data import billing_data_load
from invoicing.selectors.drafts import change_log_changes_claim, change_log_draft, changes_billed_by
from invoicing.services.audit import audit_record
from invoicing.services.batches import BatchOutcome, drafts_write_isolated
from invoicing.services.writing import Provenance, drafts_write
from schedules.models import PostingPeriod


@transaction.atomic
def change_log_invoice_generate(
    *,
    contract: BillingContract,
    period_start: date,
    period_end: date,
    as_of: date,
    user: Actor = None,
    door: str = Door.MANUAL,
    expected_fingerprint: str | None = None,
) -> Invoice:
    """Bill one contract's unbilled changes of the period on a change-log invoice."""
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
    draft = change_log_draft(contract.pk, changes, as_of=as_of)
    if expected_fingerprint is not None and draft.fingerprint() != expected_fingerprint:
        raise PreviewOutdated(draft)
    (invoice_id,) = drafts_write(
        [draft], provenance=Provenance(door=door, user_id=getattr(user, "pk", None))
    )
    invoice = Invoice.objects.get(pk=invoice_id)
    audit_record(
        user=user,
        door=door,
        action=AuditEvent.Action.INVOICE_GENERATED,
        contract=contract,
        invoice=invoice,
        detail=f"{invoice.number} (change log)",
    )
    return invoice


@transaction.atomic
def change_log_invoice_replace(*, invoice: Invoice, as_of: date, user: Actor = None) -> Invoice:
    """Re-bill the very changes a change-log invoice billed, on a new one replacing it."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_credit_note:
        raise GenerationError(errors.CREDIT_NOTE_NOT_CORRECTABLE.format(number=invoice.number))
    if invoice.kind != Invoice.Kind.CHANGE_LOG:
        raise GenerationError(errors.ONLY_CHANGE_LOG.format(number=invoice.number))
    if invoice.is_paid:
        raise GenerationError(errors.PAID_CANNOT_BE_REPLACED.format(number=invoice.number))
    changes = changes_billed_by(invoice.pk)
    if not changes:  # it bills days a contract's end had credited, not changes: void it
        raise GenerationError(errors.NO_CHANGES_TO_REPLACE.format(number=invoice.number))
    draft = change_log_draft(invoice.contract_id, changes, as_of=as_of, replaces_id=invoice.pk)
    (new_id,) = drafts_write(
        [draft], provenance=Provenance(door=Door.MANUAL, user_id=getattr(user, "pk", None))
    )
    replacement = Invoice.objects.get(pk=new_id)
    audit_record(
        user=user,
        door=Door.MANUAL,
        action=AuditEvent.Action.INVOICE_REPLACED,
        contract=invoice.contract,
        invoice=replacement,
        detail=f"{replacement.number} replaces {invoice.number}",
    )
    return replacement


def batch_generate_change_log(
    contract_ids: Collection[int],
    *,
    period_start: date,
    period_end: date,
    as_of: date,
    provenance: Provenance,
) -> BatchOutcome:
    """One change-log invoice per contract with changes to bill (a bulk run's tab)."""
    outcome = BatchOutcome()
    claimed = change_log_changes_claim(
        contract_ids, period_start=period_start, period_end=period_end
    )
    data = billing_data_load(list(claimed), changes_after=None)
    closed_months = PostingPeriod.objects.closed_months(since=as_of)
    drafts = []
    for contract_id in contract_ids:
        changes = claimed.get(contract_id)
        if not changes:
            outcome.skipped[contract_id] = errors.NO_CHANGES
            continue
        try:
            drafts.append(
                draft_change_log_invoice(
                    data=data,
                    contract_id=contract_id,
                    changes=changes,
                    as_of=as_of,
                    closed_months=closed_months,
                )
            )
        except BillingError as error:
            outcome.failed[contract_id] = str(error)
    drafts_write_isolated(drafts, provenance=provenance, outcome=outcome)
    return outcome
