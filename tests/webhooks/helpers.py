"""Builders shared by the webhook tests."""

from __future__ import annotations

import json

from django.utils import timezone

from webhooks.models import WebhookDelivery
from webhooks.services import Published, webhook_event_publish
from webhooks.signing import event_id


def publish(key: str = "thing-1", event_type: str = "run.finished", **fields) -> Published:
    """Publish an event of `event_type` whose id derives from `key`, as a publisher does."""
    body = json.dumps({"event": event_type, "id": key, **fields}, sort_keys=True).encode()
    return webhook_event_publish(
        event_id=event_id(key), event_type=event_type, payload=body, occurred_at=timezone.now()
    )


def delivery(published: Published) -> WebhookDelivery:
    (delivery_id,) = published.delivery_ids
    return WebhookDelivery.objects.get(pk=delivery_id)
