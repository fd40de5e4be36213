"""Queue deliveries after commit, and sweep the pending ones whose message was lost.

A delivery row is the truth; a Celery message only a reminder. A broker down at commit,
a flushed queue or a crashed worker leave a pending row past its due time, and the beat
sweep (every minute) queues it again: no delivery is lost, and none is duplicated, since
every attempt works on the one row of its (event, endpoint).

Queued on commit, never before: a worker must not look for a row still uncommitted, and a
transaction rolled back takes its event, its deliveries and their queueing with it. Tests
on pytest-django's rolled-back transaction therefore never see these callbacks run unless
they capture and execute them (tests/webhooks/test_commit.py commits for real instead).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial, update_wrapper

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from webhooks import errors
from webhooks.models import WebhookDelivery

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
# A queued delivery is overdue this long after its due time before the sweep takes it: more
# than a busy queue's wait plus an attempt's timeout, so a message in flight is rarely doubled
# (and a doubled one finds the row delivered, or waits on its lock).
STALLED_AFTER = timedelta(minutes=10)
# Most deliveries one sweep queues again.
SWEEP_LIMIT = 10_000
BROKER_ERRORS = (OperationalError, OSError)
# As post-invoicing: give up publishing after about a second, leave the rest to the sweep.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.5,
    "interval_step": 0,
    "interval_max": 0.5,
}


def webhook_deliveries_enqueue_on_commit(delivery_ids: Sequence[int]) -> None:
    """Queue the deliveries once the current transaction commits (at once outside one)."""
    if not delivery_ids:
        return
    callback = update_wrapper(
        partial(webhook_deliveries_enqueue, delivery_ids=list(delivery_ids)),
        webhook_deliveries_enqueue,
    )
    transaction.on_commit(callback, robust=True)


def webhook_deliveries_enqueue(*, delivery_ids: Iterable[int], countdown: float = 0) -> bool:
    """One Celery message per delivery over one connection. A broker that cannot be reached
    marks them overdue (the next sweep takes them) and returns False."""
    from webhooks.tasks import deliver_webhook  # the tasks module imports the services

    ids = list(delivery_ids)
    try:
        with deliver_webhook.app.producer_or_acquire() as producer:
            for delivery_id in ids:
                deliver_webhook.apply_async(
                    (delivery_id,),
                    countdown=countdown or None,
                    producer=producer,
                    retry_policy=PUBLISH_RETRY_POLICY,
                )
    except BROKER_ERRORS as error:
        logger.warning("%d webhook deliveries not queued: %s", len(ids), error)
        WebhookDelivery.objects.filter(pk__in=ids, status=Status.PENDING).update(
            error=errors.NOT_QUEUED, next_attempt_at=timezone.now() - STALLED_AFTER
        )
        return False
    return True


@transaction.atomic
def webhook_deliveries_requeue_stalled(*, now: datetime | None = None) -> int:
    """Queue again the pending deliveries overdue by STALLED_AFTER; returns how many."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.select_for_update(skip_locked=True)
        .filter(status=Status.PENDING, next_attempt_at__lte=now - STALLED_AFTER)
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:SWEEP_LIMIT]
    )
    # Due again from now: the next sweep leaves them alone while this message is in flight.
    WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
    WebhookDelivery.objects.filter(pk__in=ids, error=errors.NOT_QUEUED).update(error="")
    webhook_deliveries_enqueue_on_commit(ids)
    return len(ids)
