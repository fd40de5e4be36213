"""Webhook services (writes): publish an event, deliver it, queue and sweep, redeliver.

Re-exported here so callers import `webhooks.services`; this package loads no door.
"""

from webhooks.services.delivering import Attempt, Outcome, webhook_delivery_attempt
from webhooks.services.endpoints import (
    webhook_deliveries_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_send_test,
    webhook_endpoints_disable,
)
from webhooks.services.publishing import (
    Published,
    webhook_event_deliver,
    webhook_event_publish,
    webhook_events_reopen,
)
from webhooks.services.queueing import (
    webhook_deliveries_enqueue,
    webhook_deliveries_enqueue_on_commit,
    webhook_deliveries_requeue_stalled,
)

__all__ = [
    "Attempt",
    "Outcome",
    "Published",
    "webhook_deliveries_enqueue",
    "webhook_deliveries_enqueue_on_commit",
    "webhook_deliveries_redeliver",
    "webhook_deliveries_requeue_stalled",
    "webhook_delivery_attempt",
    "webhook_endpoint_create",
    "webhook_endpoint_send_test",
    "webhook_endpoints_disable",
    "webhook_event_deliver",
    "webhook_event_publish",
    "webhook_events_reopen",
]
