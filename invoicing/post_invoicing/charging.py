"""Auto-Charge: ask the payment gateway for what is owed on an invoice (its total less its
credit notes), once.

Every attempt of one charge carries the same idempotency key, derived from the
invoice number, and the payment row holding it is written before the gateway is
asked: a retry after a timeout or a crash re-asks with that key and the gateway
returns the first charge. Only after a definite decline does a later Retry start a
new charge with a new key.
"""

from __future__ import annotations

from django.utils import timezone

from billing_site.locales import site_locale
from invoicing.models import Invoice
from invoicing.money_format import format_money
from invoicing.post_invoicing import errors
from invoicing.post_invoicing.errors import (
    NothingToDo,
    PermanentError,
    PostInvoicingError,
    TransientError,
    invoice_ensure_live,
)
from invoicing.post_invoicing.gateways import (
    ChargeRequest,
    ChargeResult,
    ChargeStatus,
    payment_gateway_get,
)
from invoicing.post_invoicing.models import Payment, PostInvoicingTask
from invoicing.post_invoicing.publishing import invoice_paid_publish

PAYMENT_STATUS = {
    ChargeStatus.SUCCEEDED: Payment.Status.SUCCEEDED,
    ChargeStatus.PROCESSING: Payment.Status.PROCESSING,
    ChargeStatus.AWAITING_TRANSFER: Payment.Status.AWAITING_TRANSFER,
    ChargeStatus.DECLINED: Payment.Status.FAILED,
}


def invoice_charge(task: PostInvoicingTask) -> str:
    """Charge the task's invoice through the gateway and record the payment."""
    # Locked: a replacement waits for the charge to finish, and two charges never overlap.
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("contract__customer")
        .get(pk=task.invoice_id)
    )
    invoice_ensure_live(invoice)
    if invoice.is_paid:
        return errors.ALREADY_PAID
    if invoice.total <= 0:
        raise NothingToDo(
            errors.NOTHING_TO_CHARGE.format(
                total=format_money(invoice.total, invoice.currency, site_locale())
            )
        )
    if invoice.uncredited <= 0:
        raise NothingToDo(errors.NOTHING_OWED.format(number=invoice.number))
    payment = payment_for(invoice)
    if payment.status == Payment.Status.AWAITING_TRANSFER:
        return _describe(payment)
    gateway = payment_gateway_get(payment.gateway)
    try:
        if payment.status == Payment.Status.PROCESSING:
            result = gateway.refresh(payment.gateway_reference)
        else:
            result = gateway.charge(_request(invoice, payment))
    except PostInvoicingError as error:
        payment.error = str(error)
        payment.save(update_fields=["error", "updated_at"])
        raise
    return _record(invoice, payment, result)


def payment_for(invoice: Invoice) -> Payment:
    """The payment this charge continues, or a new one when there is none to continue.

    A payment whose outcome is unknown (pending, processing) is continued with its key;
    a declined one is history, and the next charge gets the next key.
    """
    latest = invoice.payments.order_by("-id").first()
    if latest is not None and latest.status != Payment.Status.FAILED:
        return latest
    attempt = invoice.payments.count() + 1
    return Payment.objects.create(
        invoice=invoice,
        gateway=payment_gateway_get().name,
        idempotency_key=payment_idempotency_key(invoice.number, attempt),
        amount=invoice.uncredited,  # what is still owed: the total less its credit notes
        currency=invoice.currency,
    )


def payment_idempotency_key(number: str, attempt: int = 1) -> str:
    """`invoice-INV-000123` for the first charge of an invoice, `...-charge-2` after a decline."""
    return f"invoice-{number}" if attempt == 1 else f"invoice-{number}-charge-{attempt}"


def _request(invoice: Invoice, payment: Payment) -> ChargeRequest:
    return ChargeRequest(
        invoice_number=invoice.number,
        amount=payment.amount,
        currency=payment.currency,
        idempotency_key=payment.idempotency_key,
        customer=invoice.contract.customer,
        description=f"Invoice {invoice.number}",
    )


def _record(invoice: Invoice, payment: Payment, result: ChargeResult) -> str:
    payment.status = PAYMENT_STATUS[result.status]
    payment.gateway_reference = result.reference or payment.gateway_reference
    payment.error = result.error
    payment.save(update_fields=["status", "gateway_reference", "error", "updated_at"])
    if result.status == ChargeStatus.SUCCEEDED:
        now = timezone.now()
        if Invoice.objects.filter(pk=invoice.pk, paid_at__isnull=True).update(paid_at=now):
            invoice.paid_at = now
            invoice_paid_publish(invoice=invoice, payment=payment)
    elif result.status == ChargeStatus.PROCESSING:
        raise TransientError(_describe(payment))
    elif result.status == ChargeStatus.DECLINED:
        raise PermanentError(errors.DECLINED.format(reason=result.error))
    return _describe(payment)


def _describe(payment: Payment) -> str:
    values = {
        "amount": format_money(payment.amount, payment.currency, site_locale()),
        "gateway": payment.gateway,
        "reference": payment.gateway_reference,
    }
    if payment.status == Payment.Status.AWAITING_TRANSFER:
        return errors.AWAITING_TRANSFER.format(**values)
    if payment.status == Payment.Status.PROCESSING:
        return errors.PROCESSING.format(**values)
    return errors.CHARGED.format(**values)
