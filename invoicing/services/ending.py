"""Ending a contract inside a cycle already invoiced, or moving its end date.

A new end date inside an invoiced cycle takes back that cycle's unused days on a credit note
(each line: quantity x unit price x days after the end / the full cycle's days, rounded
once), and the same days of the quantity increases its change-log invoices billed (delta x
unit price x days after the end / the full cycle's days, on a credit note of each), cuts its schedule's period at the end date, and voids the cycles invoiced wholly after
it (a credit note takes each back in full) so that their schedules are cancelled like the
Pending ones. Moving the end date later again bills the credited days again, line by line,
on an invoice of their own (the difference of the same rounded figures, so a contract ended
and extended again bills back exactly what was credited), and re-opens the cancelled cycles
for the nightly run. The schedule's cut is the record of what the end date has taken back.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from billing_site.actors import Actor, recorded_actor
from billing_site.errors import BillingError
from contracts.models import BillingContract
from invoicing.drafting import day_label
from invoicing.models import AuditEvent, Door
from invoicing.selectors.end_plan import (
    END_BEFORE_PAID_CYCLE,
    END_BEFORE_START,
    EndPlan,
    contract_end_plan,
    touched_invoices,
)
from invoicing.services.audit import audit_record
from invoicing.services.crediting import credit_notes_write
from invoicing.services.voiding import invoice_void
from invoicing.services.writing import Provenance, drafts_write
from schedules.models import BillingSchedule
from schedules.services import contract_save

__all__ = [
    "END_BEFORE_PAID_CYCLE",
    "END_BEFORE_START",
    "END_PREVIEW_OUTDATED",
    "EndPlan",
    "EndPreviewOutdated",
    "contract_end",
    "contract_end_plan",
]

END_PREVIEW_OUTDATED = (
    "The contract changed since the preview was shown: nothing was written. Review the new "
    "preview and confirm again."
)
VOIDED_REASON = "Contract ended on {end}, before this cycle."


class EndPreviewOutdated(BillingError):
    """The contract or its invoices changed between the preview and its confirmation."""


@transaction.atomic
def contract_end(
    *,
    contract: BillingContract,
    end_date: date | None,
    user: Actor,
    door: str = Door.MANUAL,
    expected_fingerprint: str | None = None,
) -> EndPlan:
    """Set (or move, or remove) the contract's end date, crediting the invoiced days after
    it and billing again the credited days it no longer ends before. One transaction: the
    contract and its touched invoices locked; a refusal writes nothing."""
    contract = BillingContract.objects.select_for_update().get(pk=contract.pk)
    # Its schedules too: a run generating one of them meanwhile waits or retries, instead
    # of invoicing a cycle this end cancels.
    list(contract.schedules.order_by("cycle_index").select_for_update())
    list(touched_invoices(contract, end_date).select_for_update(of=("self",)))
    plan = contract_end_plan(contract=contract, end_date=end_date)
    if expected_fingerprint is not None and plan.fingerprint() != expected_fingerprint:
        raise EndPreviewOutdated(END_PREVIEW_OUTDATED)
    user_id = getattr(recorded_actor(user), "pk", None)
    reason = VOIDED_REASON.format(end=day_label(end_date)) if end_date else ""
    for invoice in plan.voided:
        invoice_void(invoice=invoice, user=user, reason=reason, door=door)
    credit_notes_write(plan.credit_notes, door=door, user_id=user_id)
    drafts_write(plan.billed_again, provenance=Provenance(door=door, user_id=user_id))
    _schedules_move(plan)
    contract.end_date = end_date
    contract_save(contract=contract, changed_fields={"end_date"})
    audit_record(
        user=user,
        door=door,
        action=AuditEvent.Action.CONTRACT_END_MOVED,
        contract=contract,
        detail=_audit_detail(plan, contract.currency),
    )
    return plan


def _schedules_move(plan: EndPlan) -> None:
    """Cut the invoiced cycles at the end date (the Pending ones follow the contract's terms
    in contract_save) and re-open the cancelled cycles the contract has again."""
    now = timezone.now()
    for move in plan.cut:
        BillingSchedule.objects.filter(
            pk=move.schedule_id, status=BillingSchedule.Status.INVOICED
        ).update(period_end=move.new_end, updated_at=now)
    BillingSchedule.objects.filter(
        pk__in=[move.schedule_id for move in plan.reopened],
        status=BillingSchedule.Status.CANCELLED,
    ).update(status=BillingSchedule.Status.PENDING, resulting_invoice=None, updated_at=now)


def _audit_detail(plan: EndPlan, currency: str) -> str:
    end = day_label(plan.end_date) if plan.end_date else "none"
    before = day_label(plan.end_before) if plan.end_before else "none"
    return (
        f"End date {before} → {end}: {len(plan.credit_notes)} credit note(s) "
        f"({currency} {plan.credited_total}), {len(plan.voided)} invoice(s) voided, "
        f"{len(plan.billed_again)} invoice(s) billing credited days again "
        f"({currency} {plan.billed_again_total})."
    )
