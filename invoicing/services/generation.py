"""One cycle of one contract: the preview, and the generation behind Generate Invoice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction

from billing_site.actors import Actor
from contracts.models import BillingContract
from invoicing import errors
from invoicing.drafting import cycle_label, nothing_to_bill_refusal
from invoicing.errors import GenerationError, PreviewOutdated
from invoicing.models import AuditEvent, Door, Invoice
from invoicing.selectors.drafts import invoice_preview
from invoicing.selectors.invoices import change_log_invoices_within, invoice_live_for
from invoicing.services.audit import audit_record
from invoicing.services.writing import Provenance, drafts_write
from schedules.models import BillingSchedule

REPLACE_PERMISSION = "invoicing.replace_invoice"


def replace_permission_check(*, user: Actor, replace: bool) -> None:
    """Replacing an issued invoice needs its own permission, whichever door asks for it.
    The nightly run and the command line (no user) never replace on their own."""
    if replace and user is not None and not user.has_perm(REPLACE_PERMISSION):
        raise PermissionDenied(errors.REPLACE_NOT_ALLOWED)


@transaction.atomic
def invoice_generate(
    *,
    schedule: BillingSchedule,
    replace: bool = False,
    user: Actor = None,
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
    if draft.nothing_to_bill:
        raise GenerationError(
            nothing_to_bill_refusal(
                schedule.period_start, schedule.period_end, live.number if live else None
            )
        )
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
        detail=_detail(invoice, live, draft.posting_note),
    )
    return invoice


def _detail(invoice: Invoice, live: Invoice | None, posting_note: str) -> str:
    """The audit line: the invoice, what it replaces, and why it carries its date."""
    detail = f"{invoice.number} replaces {live.number}" if live else invoice.number
    return f"{detail}, {posting_note}" if posting_note else detail


def _cycle_label(schedule: BillingSchedule) -> str:
    return cycle_label(schedule.period_start, schedule.period_end)
