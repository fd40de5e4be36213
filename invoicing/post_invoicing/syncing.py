"""Auto-Sync: publish an invoice's event to the webhook endpoints subscribed to it, and
deliver it there.

The event (invoice.issued, invoice.replaced, invoice.voided, credit_note.issued) is recorded
once in the webhook outbox under an id derived from the invoice number and the event, with
the same body bytes on every attempt, and one delivery per active endpoint subscribed to it.
The task then delivers it (Standard Webhooks signatures: webhook-id, webhook-timestamp,
webhook-signature, and Idempotency-Key = webhook-id) and ends as its deliveries do: done
when all are delivered, failed when one failed for good, tried again while one waits.
"""

from __future__ import annotations

import json
from datetime import datetime

from invoicing.models import Invoice
from invoicing.money_format import money_figure
from invoicing.post_invoicing import errors
from invoicing.post_invoicing.errors import PermanentError, TransientError
from invoicing.post_invoicing.models import PostInvoicingTask
from webhooks import events
from webhooks.selectors import EventState
from webhooks.services import webhook_event_deliver, webhook_event_publish
from webhooks.signing import event_id

Kind = PostInvoicingTask.Kind

EVENTS: dict[str, str] = {
    Kind.SYNC: events.INVOICE_ISSUED,
    Kind.SYNC_REPLACED: events.INVOICE_REPLACED,
    Kind.SYNC_VOIDED: events.INVOICE_VOIDED,
}
CREDIT_NOTE_ISSUED = events.CREDIT_NOTE_ISSUED
# The invoice status each event reports.
EVENT_STATUS = {
    events.INVOICE_ISSUED: "issued",
    CREDIT_NOTE_ISSUED: "issued",
    events.INVOICE_REPLACED: "replaced",
    events.INVOICE_VOIDED: "void",
}


def invoice_sync(task: PostInvoicingTask) -> str:
    """Publish the task's event and deliver it to every endpoint subscribed to it."""
    event = sync_event_of(task.kind, task.invoice)
    if task.kind != Kind.SYNC and _issue_still_pending(task.invoice_id):
        # Receivers must hear of the invoice before they hear of its end.
        raise TransientError(errors.SYNC_WAITING_FOR_ISSUE)
    credited = task.invoice.credits_id
    if task.invoice.is_credit_note and credited is not None and _issue_still_pending(credited):
        # ... and of the invoice before the credit note that corrects it.
        raise TransientError(errors.SYNC_WAITING_FOR_ISSUE)
    body, occurred_at = _event(invoice=task.invoice, event=event)
    published = webhook_event_publish(
        event_id=invoice_event_id(task.invoice.number, event),
        event_type=event,
        payload=body,
        occurred_at=occurred_at,
        queue=False,  # this task delivers it, with its own retries
    )
    if not published.delivery_ids:
        raise PermanentError(errors.SYNC_NOT_CONFIGURED.format(event=event))
    return sync_outcome(event, webhook_event_deliver(event=published.event))


def sync_outcome(event: str, state: EventState) -> str:
    """What a sync task says of its event's deliveries: done when all are delivered,
    failed (PermanentError) when one failed for good, not yet (TransientError) otherwise."""
    if state.failed:
        raise PermanentError(_listed(errors.SYNC_FAILED, event, state.failed))
    if state.pending:
        raise TransientError(_listed(errors.SYNC_NOT_YET, event, state.pending))
    return _listed(errors.SYNC_DELIVERED, event, state.delivered)


def sync_event_of(kind: str, invoice: Invoice) -> str:
    """The event a sync task of this kind publishes for this invoice."""
    return CREDIT_NOTE_ISSUED if invoice.is_credit_note else EVENTS[kind]


def invoice_event_id(number: str, event: str) -> str:
    """The webhook-id of an invoice's event: the same on every attempt, in every process."""
    return event_id(idempotency_key(number, event))


def idempotency_key(number: str, event: str) -> str:
    """The event's id inside its body (as the ledger has always received it)."""
    return f"{number}:{event}"


def _listed(template: str, event: str, outcomes: list[tuple[str, str]]) -> str:
    return template.format(
        event=event, endpoints="; ".join(f"{name}: {what}" for name, what in outcomes)
    )


def event_body(*, invoice: Invoice, event: str) -> bytes:
    """The event as canonical JSON: sorted keys, amounts as strings, no clock."""
    return _event(invoice=invoice, event=event)[0]


def _event(*, invoice: Invoice, event: str) -> tuple[bytes, datetime]:
    """The body and when it happened.

    An event states what happened, whatever happened since (an issued event of an
    invoice replaced meanwhile still says "issued"): every attempt sends the same bytes.
    """
    replacement = (
        Invoice.objects.filter(replaces=invoice).values("number", "created_at").first()
        if event == events.INVOICE_REPLACED
        else None
    )
    # Invoices carry no void timestamp yet: a void event is dated by the invoice's issue.
    occurred_at = replacement["created_at"] if replacement else invoice.created_at
    payload = {
        "event": event,
        "id": idempotency_key(invoice.number, event),
        "occurred_at": occurred_at.isoformat(),
        "invoice": invoice_export_fields(invoice)
        | {
            "status": EVENT_STATUS[event],
            "replaced_by": replacement["number"] if replacement else None,
        },
    }
    return canonical_json(payload), occurred_at


def canonical_json(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def invoice_export_fields(invoice: Invoice) -> dict:
    """The invoice's fixed content (what never changes once issued), JSON-ready."""
    currency = invoice.currency
    contract = invoice.contract
    return {
        "number": invoice.number,
        "document": invoice.document,
        "kind": invoice.kind,
        "contract": contract.number,
        "customer": {
            "name": contract.customer.name,
            "billing_email": contract.customer.billing_email,
        },
        "invoice_date": invoice.invoice_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "period_start": invoice.period_start.isoformat(),
        "period_end": invoice.period_end.isoformat(),
        "currency": invoice.currency,
        "subtotal": money_figure(invoice.subtotal, currency),
        "tax_total": money_figure(invoice.tax_total, currency),
        "total": money_figure(invoice.total, currency),
        "replaces": invoice.replaces.number if invoice.replaces else None,
        "credits": invoice.credits.number if invoice.credits else None,
        "credit_reason": invoice.credit_reason,
        "lines": [
            {
                "description": line.description,
                "quantity": f"{line.quantity.normalize():f}",
                "unit_price": f"{line.unit_price.normalize():f}",
                "period_start": line.period_start.isoformat(),
                "period_end": line.period_end.isoformat(),
                "proration": f"{line.proration.normalize():f}",
                "amount": money_figure(line.amount, currency),
                "tax_rate": f"{line.tax_rate.normalize():f}",
                "tax_amount": money_figure(line.tax_amount, currency),
            }
            for line in invoice.lines.all()
        ],
    }


def _issue_still_pending(invoice_id: int) -> bool:
    return PostInvoicingTask.objects.filter(
        invoice_id=invoice_id, kind=Kind.SYNC, status=PostInvoicingTask.Status.PENDING
    ).exists()
