"""One cycle of one contract: the preview, and the generation behind Generate Invoice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.utils import timezone

from contracts.models import BillingContract, ContractChange
from invoicing import errors
from invoicing.errors import GenerationError, PreviewOutdated
from invoicing.models import AuditEvent, Door, Invoice
from invoicing.services.audit import audit_record
from invoicing.services.drafting import InvoiceDraft, draft_regular_invoice, expected_cycle
from invoicing.services.loading import billing_data_load
from invoicing.services.writing import Provenance, drafts_write
from schedules.models import BillingSchedule


def invoice_preview(*, schedule: BillingSchedule, as_of: date | None = None) -> InvoiceDraft:
    """The invoice generating this schedule would write now. Writes nothing."""
    as_of = as_of or timezone.localdate()
    contract = schedule.contract
    data = billing_data_load([contract.pk], schedule.period_start)
    lines = data.lines.get(contract.pk, [])
    return draft_regular_invoice(
        contract=data.contracts[contract.pk],
        lines=lines,
        changes_by_line={line.id: data.changes.get(line.id, []) for line in lines},
        cycle=expected_cycle(
            contract, schedule.cycle_index, schedule.period_start, schedule.period_end
        ),
        schedule_id=schedule.pk,
        scheduled_invoice_date=schedule.invoice_date,
        as_of=as_of,
    )


@transaction.atomic
def invoice_generate(
    *,
    schedule: BillingSchedule,
    replace: bool = False,
    user=None,
    door: str = Door.MANUAL,
    as_of: date | None = None,
    expected_fingerprint: str | None = None,
    post_tasks: Mapping[str, bool] | None = None,
) -> Invoice:
    """Generate the regular invoice of one schedule; with `replace`, its live invoice
    becomes Replaced and points to the new one.

    With `expected_fingerprint` (the previewed draft's), generation stops with
    PreviewOutdated if the invoice would differ from what the person saw. `post_tasks`
    overrides the contract's Auto-Send / Auto-Charge / Auto-Sync for this invoice.
    """
    schedule = (
        BillingSchedule.objects.select_for_update(of=("self",))
        .select_related("contract")
        .get(pk=schedule.pk)
    )
    contract = schedule.contract
    if contract.status != BillingContract.Status.ACTIVE:
        raise GenerationError(
            errors.CONTRACT_NOT_ACTIVE.format(
                number=contract.number, status=contract.get_status_display().lower()
            )
        )
    if schedule.status == BillingSchedule.Status.CANCELLED:
        raise GenerationError(errors.CYCLE_CANCELLED.format(cycle=_cycle_label(schedule)))
    # Locked: a payment landing now must either be seen here or wait for us.
    live = invoice_live_for(schedule, lock=True)
    if live is not None and not replace:
        raise GenerationError(
            errors.ALREADY_INVOICED.format(cycle=_cycle_label(schedule), number=live.number)
        )
    if live is not None and live.is_paid:
        raise GenerationError(errors.PAID_CANNOT_BE_REPLACED.format(number=live.number))
    if live is not None and (blocking := change_log_invoices_within([schedule]).get(schedule.pk)):
        raise GenerationError(errors.CHANGES_BILLED_BY_CHANGE_LOG.format(number=blocking))
    draft = invoice_preview(schedule=schedule, as_of=as_of)
    if expected_fingerprint is not None and draft.fingerprint() != expected_fingerprint:
        raise PreviewOutdated(draft)
    (invoice_id,) = drafts_write(
        [draft],
        provenance=Provenance(door=door, user_id=getattr(user, "pk", None), post_tasks=post_tasks),
        replaces={schedule.pk: live.pk} if live else None,
    )
    invoice = Invoice.objects.get(pk=invoice_id)
    audit_record(
        user=user,
        door=door,
        action=AuditEvent.Action.INVOICE_REPLACED if live else AuditEvent.Action.INVOICE_GENERATED,
        contract=contract,
        invoice=invoice,
        detail=f"{invoice.number} replaces {live.number}" if live else invoice.number,
    )
    return invoice


def invoice_live_for(schedule: BillingSchedule, *, lock: bool = False) -> Invoice | None:
    """The issued regular invoice of a schedule, if any (the database allows one)."""
    invoices = Invoice.objects.live_regular().filter(schedule=schedule)
    return (invoices.select_for_update() if lock else invoices).first()


def change_log_invoices_within(schedules) -> dict[int, str]:
    """schedule id -> number of a live change-log invoice billing a change in its cycle.

    Such a cycle cannot be re-billed by a replacement: its new segments would bill those
    changes a second time. One query for any number of schedules.
    """
    billed = ContractChange.objects.filter(
        line__contract_id__in={schedule.contract_id for schedule in schedules},
        billed_invoice__kind=Invoice.Kind.CHANGE_LOG,
        billed_invoice__status=Invoice.Status.ISSUED,
    ).values_list("line__contract_id", "effective_date", "billed_invoice__number")
    by_contract: dict[int, list[tuple]] = {}
    for contract_id, day, number in billed:
        by_contract.setdefault(contract_id, []).append((day, number))
    return {
        schedule.id: number
        for schedule in schedules
        for day, number in by_contract.get(schedule.contract_id, [])
        if schedule.period_start <= day <= schedule.period_end
    }


def _cycle_label(schedule: BillingSchedule) -> str:
    return f"{schedule.period_start:%d %b %Y} – {schedule.period_end:%d %b %Y}"
