"""Celery tasks of webhooks: a delivery id in, one attempt, the backoff; the sweep."""

from __future__ import annotations

from celery import shared_task

from webhooks.services import Outcome, webhook_deliveries_requeue_stalled, webhook_delivery_attempt


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """Attempt one delivery; a transient failure comes back after its backoff. The row
    counts the attempts, so a message delivered twice never extends the budget."""
    attempt = webhook_delivery_attempt(delivery_id=delivery_id)
    if attempt.outcome is Outcome.RETRY:
        raise self.retry(countdown=attempt.retry_in)
    return attempt.outcome.value


@shared_task(acks_late=True)
def requeue_stalled_webhook_deliveries() -> int:
    """Beat: queue again the pending deliveries whose message was lost."""
    return webhook_deliveries_requeue_stalled()
