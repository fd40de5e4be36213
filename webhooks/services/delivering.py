"""One attempt of one delivery: lock its row, POST once, record the answer.

The row is claimed with SELECT ... FOR UPDATE SKIP LOCKED and held through the POST (which
has a timeout): a delivery queued twice, swept while running, or redelivered meanwhile is
POSTed by one worker at a time. A crash before the commit leaves it pending with its
attempt unrecorded, and the sweep sends it again: at least once, and the receiver
deduplicates on webhook-id (the same on every attempt).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from billing_site.retries import retry_delay
from webhooks import errors
from webhooks.errors import PermanentError, TransientError
from webhooks.models import WebhookDelivery
from webhooks.services import transport
from webhooks.signals import delivery_settled
from webhooks.signing import signed_headers

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
RECORDED = (
    "status",
    "attempts",
    "next_attempt_at",
    "last_attempt_at",
    "response_status",
    "response_body",
    "error",
    "delivered_at",
)


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    RETRY = "retry"  # a transient error: due again at next_attempt_at
    NOT_PENDING = "not_pending"  # delivered or failed already: nothing sent
    BUSY = "busy"  # another worker holds it right now


# The outcomes the publishers hear of (webhooks.signals.delivery_settled).
SETTLED = frozenset({Outcome.DELIVERED, Outcome.FAILED})


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    retry_in: float = 0.0  # seconds until the next attempt, for RETRY


def webhook_delivery_attempt(*, delivery_id: int, give_up: bool = False) -> Attempt:
    """POST a pending delivery once. A transient failure leaves it pending (RETRY) until
    POST_INVOICING_MAX_ATTEMPTS attempts (or `give_up`), then fails it for good."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            exists = WebhookDelivery.objects.filter(pk=delivery_id).exists()
            return Attempt(Outcome.BUSY if exists else Outcome.NOT_PENDING)
        if delivery.status != Status.PENDING:
            return Attempt(Outcome.NOT_PENDING)
        attempt = _attempt(delivery, give_up)
        delivery.save(update_fields=RECORDED)
        if attempt.outcome in SETTLED:
            _announce(delivery)
    return attempt


def _attempt(delivery: WebhookDelivery, give_up: bool) -> Attempt:
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status, delivery.response_body, delivery.error = None, "", ""
    try:
        _post(delivery, now)
    except PermanentError as error:
        return _finish(delivery, Status.FAILED, str(error))
    except TransientError as error:
        if give_up or delivery.attempts >= settings.POST_INVOICING_MAX_ATTEMPTS:
            reason = errors.GAVE_UP.format(attempts=delivery.attempts, reason=error)
            return _finish(delivery, Status.FAILED, reason)
        delay = retry_delay(
            delivery.attempts - 1,
            base=settings.POST_INVOICING_RETRY_BASE_SECONDS,
            maximum=settings.POST_INVOICING_RETRY_MAX_SECONDS,
        )
        delivery.error, delivery.next_attempt_at = str(error), now + timedelta(seconds=delay)
        return Attempt(Outcome.RETRY, retry_in=delay)
    except DatabaseError:
        raise  # the transaction is broken: nothing can be recorded; the sweep retries
    except Exception as error:  # a bug must end visibly on the delivery, not loop forever
        logger.exception("Webhook delivery %s failed unexpectedly", delivery.pk)
        return _finish(delivery, Status.FAILED, errors.UNEXPECTED.format(error=error))
    delivery.delivered_at = now
    return _finish(delivery, Status.DELIVERED, "")


def _announce(delivery: WebhookDelivery) -> None:
    """Tell the publishers, in a savepoint: a receiver that fails is logged and undone,
    never the record of a POST that was made (it would be made again)."""
    try:
        with transaction.atomic():
            delivery_settled.send(sender=WebhookDelivery, delivery=delivery)
    except Exception:
        logger.exception("A receiver of delivery %s settling failed", delivery.pk)


def _post(delivery: WebhookDelivery, now: datetime) -> None:
    """Sign with the endpoint's secret (the attempt's timestamp, the event's id) and POST."""
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.is_active:
        raise PermanentError(errors.ENDPOINT_DISABLED)
    body = event.payload.encode()
    headers = signed_headers(
        secret=endpoint.secret, msg_id=event.event_id, timestamp=now, body=body
    )
    status, reply = transport.post(endpoint.url, body, headers, settings.WEBHOOK_TIMEOUT_SECONDS)
    delivery.response_status, delivery.response_body = status, reply
    if 200 <= status < 300:
        return
    refusal = errors.REFUSED.format(status=status, body=reply)
    raise TransientError(refusal) if transport.is_transient(status) else PermanentError(refusal)


def _finish(delivery: WebhookDelivery, status: str, error: str) -> Attempt:
    delivery.status, delivery.error = status, error
    return Attempt(Outcome.DELIVERED if status == Status.DELIVERED else Outcome.FAILED)
