"""The events published straight to subscribed webhook endpoints: an invoice paid, a
generation run finished, a post-invoicing task failed for good.

Each is recorded, when an active endpoint subscribes to it, in the caller's transaction (outbox row and deliveries) and queued once it
commits; its id is derived from what happened, so a retried transaction records it once.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from invoicing.models import GenerationRun, Invoice
from invoicing.money_format import money_figure
from invoicing.post_invoicing.models import Payment, PostInvoicingTask
from invoicing.post_invoicing.syncing import canonical_json, idempotency_key, invoice_export_fields
from webhooks import events
from webhooks.selectors import webhook_event_wanted
from webhooks.services import Published, webhook_event_publish
from webhooks.signing import event_id


def invoice_paid_publish(*, invoice: Invoice, payment: Payment) -> Published | None:
    """invoice.paid: an invoice is paid once (its paid_at is set once), so one event."""
    if not webhook_event_wanted(events.INVOICE_PAID):
        return None
    paid_at = invoice.paid_at or timezone.now()
    key = idempotency_key(invoice.number, events.INVOICE_PAID)
    payload = {
        "event": events.INVOICE_PAID,
        "id": key,
        "occurred_at": paid_at.isoformat(),
        "invoice": invoice_export_fields(invoice) | {"status": "paid"},
        "payment": {
            "gateway": payment.gateway,
            "amount": money_figure(payment.amount, payment.currency),
            "currency": payment.currency,
            "reference": payment.gateway_reference,
        },
    }
    return _publish(key, events.INVOICE_PAID, payload, paid_at)


def run_finished_publish(*, run: GenerationRun) -> Published | None:
    """run.finished: a run finishes once (its finished_at is set once)."""
    if not webhook_event_wanted(events.RUN_FINISHED):
        return None
    finished_at = run.finished_at or timezone.now()
    key = f"run-{run.pk}:{events.RUN_FINISHED}"
    payload = {
        "event": events.RUN_FINISHED,
        "id": key,
        "occurred_at": finished_at.isoformat(),
        "run": {
            "id": run.pk,
            "trigger": run.trigger,
            "as_of_date": run.as_of_date.isoformat(),
            "status": run.status,
            "started_at": run.started_at.isoformat() if run.started_at else None,
            "finished_at": finished_at.isoformat(),
            "jobs": run.counts(),
        },
    }
    return _publish(key, events.RUN_FINISHED, payload, finished_at)


def post_task_failed_publish(*, task: PostInvoicingTask, invoice_number: str) -> Published | None:
    """post_invoicing_task.failed: once per failure (a task retried by a person and failing
    again is a new failure, told apart by its attempt count)."""
    if not webhook_event_wanted(events.POST_INVOICING_TASK_FAILED):
        return None
    failed_at = task.finished_at or timezone.now()
    key = f"post-task-{task.pk}-{task.attempts}:{events.POST_INVOICING_TASK_FAILED}"
    payload = {
        "event": events.POST_INVOICING_TASK_FAILED,
        "id": key,
        "occurred_at": failed_at.isoformat(),
        "task": {
            "id": task.pk,
            "kind": task.kind,
            "invoice": invoice_number,
            "attempts": task.attempts,
            "message": task.message,
        },
    }
    return _publish(key, events.POST_INVOICING_TASK_FAILED, payload, failed_at)


def _publish(key: str, event_type: str, payload: dict, occurred_at: datetime) -> Published:
    return webhook_event_publish(
        event_id=event_id(key),
        event_type=event_type,
        payload=canonical_json(payload),
        occurred_at=occurred_at,
    )
