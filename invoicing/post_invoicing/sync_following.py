"""Auto-Sync follows its deliveries: a sync task that failed becomes done once every
delivery of its event is delivered, by whoever delivered it (the webhook sweep, or an
admin's Redeliver after the receiver was fixed).

Only failed tasks follow. A pending task is its own runner's business: its next attempt
reads the deliveries itself. A done task stays done: its event reached every endpoint
once, and a later redelivery refused is shown on that delivery, not on the invoice.
Connected to webhooks.signals.delivery_settled by InvoicingConfig.ready; it runs inside the
delivery's transaction, so the delivery and its task commit together.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from invoicing.post_invoicing.errors import PostInvoicingError
from invoicing.post_invoicing.models import PostInvoicingTask
from invoicing.post_invoicing.syncing import (
    CREDIT_NOTE_ISSUED,
    EVENTS,
    invoice_event_id,
    sync_event_of,
    sync_outcome,
)
from webhooks.models import WebhookDelivery
from webhooks.selectors import webhook_event_state

Status = PostInvoicingTask.Status
SYNC_EVENTS = frozenset({*EVENTS.values(), CREDIT_NOTE_ISSUED})


def sync_task_follow(*, delivery: WebhookDelivery) -> PostInvoicingTask | None:
    """Mark done the failed sync task whose event this settled delivery belongs to, when
    all that event's deliveries are now delivered; returns the task it marked done."""
    event = delivery.event
    if event.type not in SYNC_EVENTS:
        return None
    number = json.loads(event.payload)["invoice"]["number"]
    # Locked, and waited for: two endpoints delivered at once by two workers each find the
    # other's delivery committed once they hold the task (READ COMMITTED reads afresh).
    failed = (
        PostInvoicingTask.objects.select_for_update(of=("self",))
        .select_related("invoice")
        .filter(invoice__number=number, kind__in=list(EVENTS), status=Status.FAILED)
    )
    task = next(
        (
            t
            for t in failed
            if invoice_event_id(number, sync_event_of(t.kind, t.invoice)) == event.event_id
        ),
        None,
    )
    if task is None:
        return None
    try:
        message = sync_outcome(event.type, webhook_event_state(event=event))
    except PostInvoicingError:
        return None  # still failed, or one delivery still on its way: nothing to change
    task.status, task.message = Status.DONE, message
    task.updated_at = task.finished_at = timezone.now()
    task.save(update_fields=["status", "message", "updated_at", "finished_at"])
    return task


def on_delivery_settled(sender: Any, *, delivery: WebhookDelivery, **kwargs: Any) -> None:
    """The receiver of webhooks.signals.delivery_settled."""
    sync_task_follow(delivery=delivery)
