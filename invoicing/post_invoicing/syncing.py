"""Auto-Sync: tell accounting about an invoice through a signed JSON webhook.

Each event is POSTed with
  X-Billing-Signature: sha256=<hex HMAC-SHA256 of the raw body under the shared secret>
  Idempotency-Key: <invoice number>:<event>   (the same on every retry of that event)
  X-Billing-Event: invoice.issued | invoice.replaced | invoice.voided | credit_note.issued
The body is the same bytes on every attempt of an event, so a ledger may deduplicate on
the key and verify the signature alone.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from invoicing.models import Invoice
from invoicing.money_format import money_figure
from invoicing.post_invoicing import errors
from invoicing.post_invoicing.errors import PermanentError, TransientError
from invoicing.post_invoicing.models import PostInvoicingTask

Kind = PostInvoicingTask.Kind

EVENTS: dict[str, str] = {
    Kind.SYNC: "invoice.issued",
    Kind.SYNC_REPLACED: "invoice.replaced",
    Kind.SYNC_VOIDED: "invoice.voided",
}
CREDIT_NOTE_ISSUED = "credit_note.issued"
# The invoice status each event reports.
EVENT_STATUS = {
    "invoice.issued": "issued",
    CREDIT_NOTE_ISSUED: "issued",
    "invoice.replaced": "replaced",
    "invoice.voided": "void",
}
SIGNATURE_HEADER = "X-Billing-Signature"
EVENT_HEADER = "X-Billing-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# "Not now" answers: request timeout, too early, rate limited. Every 5xx too.
TRANSIENT_HTTP = {408, 425, 429}
# How much of a refusal's body is kept as its reason.
REASON_CHARS = 300


def invoice_sync(task: PostInvoicingTask) -> str:
    """Deliver the task's event to the accounting webhook."""
    url, secret = settings.ACCOUNTING_WEBHOOK_URL, settings.ACCOUNTING_WEBHOOK_SECRET
    if not url or not secret:
        raise PermanentError(errors.SYNC_NOT_CONFIGURED)
    event = EVENTS[task.kind]
    if task.kind != Kind.SYNC and _issue_still_pending(task.invoice_id):
        # The ledger must hear of the invoice before it hears of its end.
        raise TransientError(errors.SYNC_WAITING_FOR_ISSUE)
    if task.invoice.is_credit_note:
        event = CREDIT_NOTE_ISSUED
        credited = task.invoice.credits_id
        if credited is not None and _issue_still_pending(credited):
            # ... and of the invoice before the credit note that corrects it.
            raise TransientError(errors.SYNC_WAITING_FOR_ISSUE)
    body = event_body(invoice=task.invoice, event=event)
    status, reply = _post(
        url,
        body,
        {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(body, secret),
            IDEMPOTENCY_HEADER: idempotency_key(task.invoice.number, event),
            EVENT_HEADER: event,
        },
    )
    if 200 <= status < 300:
        return errors.SYNC_DELIVERED.format(event=event, status=status)
    refusal = errors.SYNC_REFUSED.format(event=event, status=status, body=reply)
    if status >= 500 or status in TRANSIENT_HTTP:
        raise TransientError(refusal)
    raise PermanentError(refusal)


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def idempotency_key(number: str, event: str) -> str:
    return f"{number}:{event}"


def event_body(*, invoice: Invoice, event: str) -> bytes:
    """The event as canonical JSON: sorted keys, amounts as strings, no clock.

    An event states what happened, whatever happened since (an issued event of an
    invoice replaced meanwhile still says "issued"): every attempt sends the same bytes.
    """
    replacement = (
        Invoice.objects.filter(replaces=invoice).values("number", "created_at").first()
        if event == EVENTS[Kind.SYNC_REPLACED]
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address: urllib would turn the POST into a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST and return (status, start of the body); TransientError when nobody answers."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    timeout = settings.ACCOUNTING_WEBHOOK_TIMEOUT_SECONDS
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        reply = error.read(REASON_CHARS).decode(errors="replace").strip()
        return error.code, reply
    # Refused, unreachable, timed out, or an answer that is not HTTP.
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or str(error) or type(error).__name__
        raise TransientError(errors.SYNC_UNAVAILABLE.format(reason=reason)) from error
