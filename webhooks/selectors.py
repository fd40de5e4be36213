"""Reads of webhooks that name a question a publisher asks."""

from __future__ import annotations

from webhooks.models import WebhookEndpoint


def webhook_event_wanted(event_type: str) -> bool:
    """Whether an active endpoint subscribes to this type: if none, a publisher need not
    build the payload (one indexed-size query on a table of a handful of rows)."""
    return WebhookEndpoint.objects.filter(is_active=True, events__contains=[event_type]).exists()
