"""Record an event in the outbox with one delivery per subscribed endpoint; deliver an
event's deliveries in the caller's process (the Auto-Sync task does)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.selectors import EventState, webhook_event_state
from webhooks.services.delivering import webhook_delivery_attempt
from webhooks.services.queueing import webhook_deliveries_enqueue_on_commit

Status = WebhookDelivery.Status


@dataclass(frozen=True)
class Published:
    event: WebhookEvent
    delivery_ids: list[int]
    created: bool  # False: the event was recorded before (a retry), nothing new


@transaction.atomic
def webhook_event_publish(
    *,
    event_id: str,
    event_type: str,
    payload: bytes,
    occurred_at: datetime,
    queue: bool = True,
    endpoint_ids: Collection[int] | None = None,
) -> Published:
    """Record the event and one pending delivery per active endpoint subscribed to its type
    (or the given endpoints), queued once committed unless `queue` is False (the caller
    delivers). Publishing an id again returns the first event and its deliveries."""
    event, created = WebhookEvent.objects.get_or_create(
        event_id=event_id,
        defaults={"type": event_type, "payload": payload.decode(), "occurred_at": occurred_at},
    )
    if not created:
        ids = list(event.deliveries.order_by("id").values_list("id", flat=True))
        return Published(event, ids, created=False)
    endpoints = WebhookEndpoint.objects.filter(is_active=True)
    if endpoint_ids is None:
        endpoints = endpoints.filter(events__contains=[event_type])
    else:
        endpoints = endpoints.filter(pk__in=list(endpoint_ids))
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint_id=pk, next_attempt_at=now)
        for pk in endpoints.order_by("id").values_list("id", flat=True)
    )
    ids = [delivery.pk for delivery in deliveries]
    if queue:
        webhook_deliveries_enqueue_on_commit(ids)
    return Published(event, ids, created=True)


def webhook_event_deliver(*, event: WebhookEvent, give_up: bool = False) -> EventState:
    """Attempt each pending delivery of the event once, here and now; say where all stand."""
    pending = event.deliveries.filter(status=Status.PENDING).order_by("id")
    for delivery_id in pending.values_list("id", flat=True):
        webhook_delivery_attempt(delivery_id=delivery_id, give_up=give_up)
    return webhook_event_state(event=event)


@transaction.atomic
def webhook_events_reopen(*, event_ids: Collection[str]) -> int:
    """Make the failed deliveries of these events pending again, with a fresh retry budget,
    for their publisher to deliver (a person retried the task behind them)."""
    return WebhookDelivery.objects.filter(
        event__event_id__in=list(event_ids), status=Status.FAILED
    ).update(status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), error="")
