"""Change-log invoices: quantity changes that arrived after their cycle was invoiced.

Each such change is billed once, by a line of delta × unit price × the share of its
full cycle from the effective date to the cycle's end (design rule 3); a decrease
gives a credit line. Changes whose cycle is not invoiced yet are left to that cycle's
regular invoice, which splits the line at the change instead.

Warning: these lines sit beside regular invoices already issued; changing the rule
changes what replacing a change-log invoice re-bills.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F

from billing_site.errors import BillingError
from contracts.models import BillingContract, ContractChange
from invoicing import errors
from invoicing.errors import GenerationError, PreviewOutdated
from invoicing.line_amounts import line_amount, line_tax
from invoicing.models import AuditEvent, Door, Invoice
from invoicing.services.audit import audit_record
from invoicing.services.batches import BatchOutcome, drafts_write_isolated
from invoicing.services.drafting import DraftLine, InvoiceDraft, priced
from invoicing.services.loading import BillingData, billing_data_load
from invoicing.services.writing import Provenance, drafts_write
from schedules import cycles
from schedules.models import BillingSchedule

CHANGE_ROW = ("id", "line_id", "contract_id", "effective_date", "quantity_before", "quantity_after")


def _change_rows(changes) -> list:
    return list(
        changes.annotate(contract_id=F("line__contract_id"))
        .order_by("contract_id", "effective_date", "id")
        .values_list(*CHANGE_ROW, named=True)
    )


def change_log_changes_claim(
    contract_ids: Collection[int], *, period_start: date, period_end: date, lock: bool = True
) -> dict[int, list]:
    """Unbilled changes effective in the period whose cycle is already invoiced, per
    contract; locked, skipping those another run holds, when `lock`."""
    if period_end < period_start:
        raise GenerationError(errors.PERIOD_REVERSED.format(start=period_start, end=period_end))
    changes = ContractChange.objects.filter(
        line__contract_id__in=contract_ids,
        billed_invoice__isnull=True,
        effective_date__gte=period_start,
        effective_date__lte=period_end,
    )
    if lock:
        changes = changes.select_for_update(skip_locked=True, of=("self",))
    rows = _change_rows(changes)
    contract_ids = {row.contract_id for row in rows}
    terms = {
        pk: (start, frequency)
        for pk, start, frequency in BillingContract.objects.filter(pk__in=contract_ids).values_list(
            "id", "start_date", "billing_frequency"
        )
    }
    invoiced = set(
        BillingSchedule.objects.filter(
            contract_id__in=contract_ids, status=BillingSchedule.Status.INVOICED
        ).values_list("contract_id", "cycle_index")
    )
    by_contract = defaultdict(list)
    for row in rows:
        index = cycles.cycle_index_containing(*terms[row.contract_id], row.effective_date)
        if (row.contract_id, index) in invoiced:
            by_contract[row.contract_id].append(row)
    return by_contract


def draft_change_log_invoice(
    *,
    data: BillingData,
    contract_id: int,
    changes: list,
    as_of: date,
    replaces_id: int | None = None,
) -> InvoiceDraft:
    """The change-log invoice billing these changes, a line each; `data` holds the
    contract's terms and lines (billing_data_load), so a batch loads them once."""
    contract = data.contracts[contract_id]
    lines_by_id = {line.id: line for line in data.lines.get(contract_id, [])}
    drafted, ends = [], []
    for change in changes:
        line = lines_by_id[change.line_id]
        cycle = cycles.cycle_containing(
            contract.start_date,
            contract.billing_frequency,
            change.effective_date,
            contract.end_date,
        )
        ends.append(cycle.end)
        drafted.append(_change_line(change, line, cycle, contract.currency))
    invoice_date = as_of
    return InvoiceDraft(
        contract_id=contract_id,
        schedule_id=None,
        cycle=None,
        invoice_date=invoice_date,
        due_date=invoice_date + timedelta(days=contract.payment_terms_days),
        currency=contract.currency,
        lines=tuple(drafted),
        covered_change_ids=tuple(change.id for change in changes),
        kind="change_log",
        period=(min(change.effective_date for change in changes), max(ends)),
        replaces_id=replaces_id,
    )


def _change_line(change, line, cycle: cycles.Cycle, currency: str) -> DraftLine:
    unit_price = priced(line)
    share = cycles.remaining_proration(cycle, change.effective_date)
    delta = change.quantity_after - change.quantity_before
    amount = line_amount(delta, unit_price, share, currency)
    verb = "added" if delta > 0 else "removed"
    return DraftLine(
        contract_line_id=line.id,
        description=f"{line.description}: {abs(delta).normalize()} {verb} from "
        f"{change.effective_date:%d %b %Y} ({change.quantity_before.normalize()} → "
        f"{change.quantity_after.normalize()})",
        quantity=delta,
        unit_price=unit_price,
        period_start=change.effective_date,
        period_end=cycle.end,
        proration=share,
        amount=amount,
        tax_rate=line.tax_rate,
        tax_amount=line_tax(amount, line.tax_rate, currency),
        change_id=change.id,
    )


def _draft_one(
    contract_id: int, changes: list, *, as_of: date, replaces_id: int | None = None
) -> InvoiceDraft:
    data = billing_data_load([contract_id], changes_after=None)
    return draft_change_log_invoice(
        data=data, contract_id=contract_id, changes=changes, as_of=as_of, replaces_id=replaces_id
    )


def changes_billed_by(invoice_id: int) -> list:
    """The changes an invoice billed, locked, as drafting rows (to re-bill them)."""
    return _change_rows(
        ContractChange.objects.filter(billed_invoice_id=invoice_id).select_for_update(of=("self",))
    )


def change_log_preview(
    *, contract: BillingContract, period_start: date, period_end: date, as_of: date
) -> InvoiceDraft | None:
    """The change-log invoice this contract would get for the period, or None."""
    changes = change_log_changes_claim(
        [contract.pk], period_start=period_start, period_end=period_end, lock=False
    ).get(contract.pk)
    if not changes:
        return None
    return _draft_one(contract.pk, changes, as_of=as_of)


@transaction.atomic
def change_log_invoice_generate(
    *,
    contract: BillingContract,
    period_start: date,
    period_end: date,
    as_of: date,
    user=None,
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
    draft = _draft_one(contract.pk, changes, as_of=as_of)
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
def change_log_invoice_replace(*, invoice: Invoice, as_of: date, user=None) -> Invoice:
    """Re-bill the very changes a change-log invoice billed, on a new one replacing it."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != Invoice.Kind.CHANGE_LOG:
        raise GenerationError(errors.ONLY_CHANGE_LOG.format(number=invoice.number))
    if invoice.is_paid:
        raise GenerationError(errors.PAID_CANNOT_BE_REPLACED.format(number=invoice.number))
    changes = changes_billed_by(invoice.pk)
    draft = _draft_one(invoice.contract_id, changes, as_of=as_of, replaces_id=invoice.pk)
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
    drafts = []
    for contract_id in contract_ids:
        changes = claimed.get(contract_id)
        if not changes:
            outcome.skipped[contract_id] = errors.NO_CHANGES
            continue
        try:
            drafts.append(
                draft_change_log_invoice(
                    data=data, contract_id=contract_id, changes=changes, as_of=as_of
                )
            )
        except BillingError as error:
            outcome.failed[contract_id] = str(error)
    drafts_write_isolated(drafts, provenance=provenance, outcome=outcome)
    return outcome
