"""What an admin does to webhooks: register an endpoint, send it a test event, disable
endpoints, redeliver deliveries. Each is atomic and leaves an entry in the admin's log
(django.contrib.admin LogEntry: who, when, which object, what), the audit trail of an app
that may not depend on invoicing's."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from webhooks import errors, events
from webhooks.errors import PermanentError
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services.publishing import Published, webhook_event_publish
from webhooks.services.queueing import webhook_deliveries_enqueue_on_commit
from webhooks.signing import event_id_random

Status = WebhookDelivery.Status
REDELIVERED = "Redelivered by {who} (was {status}, {attempts} attempt(s))."
TEST_SENT = "Test event {event_id} sent."
DISABLED = "Disabled."


@transaction.atomic
def webhook_endpoint_create(
    *,
    url: str,
    events: Sequence[str],
    description: str = "",
    secret: str | None = None,
    user: AbstractBaseUser | None = None,
) -> WebhookEndpoint:
    """Register an endpoint, with a fresh `whsec_` secret unless one is given."""
    endpoint = WebhookEndpoint(url=url, events=list(events), description=description)
    endpoint.created_by_id = getattr(_recorded(user), "pk", None)
    if secret:
        endpoint.secret = secret
    endpoint.full_clean()
    endpoint.save()
    _log(user, WebhookEndpoint.objects.filter(pk=endpoint.pk), ADDITION, "Added.")
    return endpoint


@transaction.atomic
def webhook_endpoint_send_test(
    *, endpoint: WebhookEndpoint, user: AbstractBaseUser | None = None
) -> Published:
    """Queue a `webhook.test` event to this endpoint only, whatever it subscribes to."""
    if not endpoint.is_active:
        raise PermanentError(errors.ENDPOINT_INACTIVE.format(endpoint=endpoint))
    now = timezone.now()
    event_id = event_id_random()
    body = {
        "type": events.TEST,
        "id": event_id,
        "occurred_at": now.isoformat(),
        "data": {"endpoint": str(endpoint)},
    }
    published = webhook_event_publish(
        event_id=event_id,
        event_type=events.TEST,
        payload=json.dumps(body, sort_keys=True, separators=(",", ":")).encode(),
        occurred_at=now,
        endpoint_ids=[endpoint.pk],
    )
    message = TEST_SENT.format(event_id=event_id)
    _log(user, WebhookEndpoint.objects.filter(pk=endpoint.pk), CHANGE, message)
    return published


@transaction.atomic
def webhook_endpoints_disable(
    *, endpoint_ids: Collection[int], user: AbstractBaseUser | None = None
) -> int:
    """Stop sending to these endpoints; their pending deliveries fail when next attempted."""
    endpoints = WebhookEndpoint.objects.filter(pk__in=list(endpoint_ids), is_active=True)
    ids = list(endpoints.values_list("id", flat=True))
    WebhookEndpoint.objects.filter(pk__in=ids).update(is_active=False)
    _log(user, WebhookEndpoint.objects.filter(pk__in=ids), CHANGE, DISABLED)
    return len(ids)


@transaction.atomic
def webhook_deliveries_redeliver(
    *, delivery_ids: Collection[int], user: AbstractBaseUser | None = None
) -> int:
    """Queue one new attempt of exactly these deliveries (any status), with a fresh retry
    budget; same event id and body, so a receiver that deduplicates books it once."""
    deliveries = list(
        WebhookDelivery.objects.select_for_update().filter(pk__in=list(delivery_ids)).order_by("id")
    )
    who = getattr(user, "username", None) or "the system"
    now = timezone.now()
    for delivery in deliveries:
        note = REDELIVERED.format(
            who=who, status=delivery.get_status_display().lower(), attempts=delivery.attempts
        )
        _log(user, WebhookDelivery.objects.filter(pk=delivery.pk), CHANGE, note)
        delivery.status, delivery.attempts, delivery.next_attempt_at = Status.PENDING, 0, now
        delivery.error, delivery.delivered_at = "", None
    WebhookDelivery.objects.bulk_update(
        deliveries, ["status", "attempts", "next_attempt_at", "error", "delivered_at"]
    )
    webhook_deliveries_enqueue_on_commit([delivery.pk for delivery in deliveries])
    return len(deliveries)


def _recorded(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _log(user: AbstractBaseUser | None, objects: QuerySet, flag: int, message: str) -> None:
    recorded = _recorded(user)
    if recorded is not None:
        LogEntry.objects.log_actions(recorded.pk, objects, flag, message)
