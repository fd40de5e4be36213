"""Reads of webhooks that name a question a publisher asks."""

from __future__ import annotations

from dataclasses import dataclass, field

from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

Status = WebhookDelivery.Status


def webhook_event_wanted(event_type: str) -> bool:
    """Whether an active endpoint subscribes to this type: if none, a publisher need not
    build the payload (one indexed-size query on a table of a handful of rows)."""
    return WebhookEndpoint.objects.filter(is_active=True, events__contains=[event_type]).exists()


@dataclass
class EventState:
    """Where an event's deliveries stand: (endpoint, what happened) per status."""

    delivered: list[tuple[str, str]] = field(default_factory=list)
    pending: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def webhook_event_state(*, event: WebhookEvent) -> EventState:
    """Each delivery of the event, by status, named by its endpoint (one query)."""
    state = EventState()
    rows = event.deliveries.order_by("id").values_list(
        "endpoint__description", "endpoint__url", "status", "response_status", "error"
    )
    for description, url, status, response_status, error in rows:
        what = f"HTTP {response_status}" if status == Status.DELIVERED else error
        getattr(state, status).append((description or url, what))
    return state
