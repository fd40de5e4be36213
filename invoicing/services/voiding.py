"""Voiding an invoice: it stops counting, and what it billed can be billed again."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from billing_site.actors import Actor, recorded_actor
from invoicing import errors
from invoicing.errors import GenerationError
from invoicing.models import AuditEvent, Door, Invoice
from invoicing.post_invoicing.scheduling import post_invoicing_invoices_retired
from invoicing.services.audit import audit_record
from invoicing.services.change_log import invoice_not_correctable
from invoicing.services.crediting import credit_notes_issue_full
from schedules.models import BillingSchedule
from schedules.services import contracts_refresh_next_invoice_date

VOIDED_REASON = "Invoice voided."


@transaction.atomic
def invoice_void(
    *, invoice: Invoice, user: Actor = None, reason: str = "", door: str = Door.MANUAL
) -> Invoice:
    """Void an issued, unpaid invoice: it keeps its number, and a credit note takes back
    what is left of it.

    A regular invoice's cycle becomes Active / Pending again, so it can be generated
    anew; the changes the invoice billed are released to be billed again.
    """
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.is_credit_note:
        raise GenerationError(invoice_not_correctable(invoice))
    if invoice.status != Invoice.Status.ISSUED:
        raise GenerationError(
            errors.CANNOT_VOID_INACTIVE.format(number=invoice.number, status=invoice.status)
        )
    if invoice.is_paid:
        raise GenerationError(errors.CANNOT_VOID_PAID.format(number=invoice.number))
    invoice.status = Invoice.Status.VOID
    invoice.save(update_fields=["status"])
    BillingSchedule.objects.filter(
        resulting_invoice=invoice, status=BillingSchedule.Status.INVOICED
    ).update(
        status=BillingSchedule.Status.PENDING, resulting_invoice=None, updated_at=timezone.now()
    )
    invoice.billed_changes.update(billed_invoice=None)
    # The void invoice keeps its number and content: a credit note takes it back.
    credit_notes_issue_full(
        invoice_ids=[invoice.pk],
        reason=reason or VOIDED_REASON,
        door=door,
        user_id=getattr(recorded_actor(user), "pk", None),
    )
    post_invoicing_invoices_retired(invoice_ids=[invoice.pk])  # accounting hears of the void
    contracts_refresh_next_invoice_date([invoice.contract_id])
    audit_record(
        user=user,
        door=door,
        action=AuditEvent.Action.INVOICE_VOIDED,
        contract=invoice.contract,
        invoice=invoice,
        detail=reason or invoice.number,
    )
    return invoice
