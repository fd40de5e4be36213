"""Delivering: every POST verified by the receiver with standardwebhooks; retries with
backoff on 5xx and timeouts, a 4xx fails for good and is logged; one row per (event,
endpoint), and two workers never POST the same attempt twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.webhooks.helpers import delivery, publish
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import Outcome, webhook_delivery_attempt, webhook_endpoint_create
from webhooks.tasks import deliver_webhook

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


def run(published) -> WebhookDelivery:
    """The Celery task inline, its retries too (without their countdown)."""
    (delivery_id,) = published.delivery_ids
    deliver_webhook.apply(args=(delivery_id,))
    return WebhookDelivery.objects.get(pk=delivery_id)


def test_an_event_goes_signed_to_each_active_endpoint_subscribed_to_it(receiver, endpoint):
    webhook_endpoint_create(url=f"{receiver.url}/other", events=["invoice.paid"])
    disabled = webhook_endpoint_create(url=f"{receiver.url}/off", events=["run.finished"])
    WebhookEndpoint.objects.filter(pk=disabled.pk).update(is_active=False)

    published = publish("run-1")
    sent = run(published)

    assert (sent.endpoint, sent.status, sent.attempts) == (endpoint, Status.DELIVERED, 1)
    assert (sent.response_status, sent.response_body) == (200, '{"booked": true}')
    (received,) = receiver.deliveries
    assert received.signature_valid, received.refusal
    assert received.headers["webhook-id"] == published.event.event_id
    assert received.headers["Idempotency-Key"] == published.event.event_id
    assert received.body == published.event.payload.encode()


def test_publishing_the_same_event_again_records_nothing_new(receiver, endpoint):
    first = publish("run-1")
    again = publish("run-1", extra="a retried publisher's different bytes")

    assert again.created is False and again.delivery_ids == first.delivery_ids
    assert WebhookEvent.objects.count() == 1 and WebhookDelivery.objects.count() == 1
    assert again.event.payload == first.event.payload


def test_a_500_and_a_timeout_are_retried_with_backoff_then_delivered(receiver, endpoint):
    receiver.answers = [500, None]

    sent = run(publish("run-1"))

    assert (sent.status, sent.attempts, sent.error) == (Status.DELIVERED, 3, "")
    assert len(receiver.deliveries) == 3 and all(d.signature_valid for d in receiver.deliveries)
    assert {d.headers["webhook-id"] for d in receiver.deliveries} == {sent.event.event_id}
    assert len(receiver.booked) == 1


def test_a_transient_failure_waits_for_its_backoff_and_says_why(settings, receiver, endpoint):
    receiver.answers = [503]
    published = publish("run-1")

    attempt = webhook_delivery_attempt(delivery_id=published.delivery_ids[0])

    pending = delivery(published)
    assert attempt.outcome is Outcome.RETRY
    base = settings.POST_INVOICING_RETRY_BASE_SECONDS
    assert base / 2 <= attempt.retry_in <= base
    assert pending.status == Status.PENDING and pending.next_attempt_at > pending.last_attempt_at
    assert (pending.response_status, pending.error) == (
        503,
        'HTTP 503 {"error": "refused on purpose"}',
    )


def test_a_400_fails_for_good_at_once_and_is_logged(receiver, endpoint):
    receiver.answers = [400]

    failed = run(publish("run-1"))

    assert (failed.status, failed.attempts, failed.response_status) == (Status.FAILED, 1, 400)
    assert failed.response_body == '{"error": "refused on purpose"}'
    assert failed.error.startswith("HTTP 400")
    assert len(receiver.deliveries) == 1


def test_an_endpoint_that_never_answers_fails_after_the_last_attempt(settings, receiver, endpoint):
    receiver.answers = [None] * settings.POST_INVOICING_MAX_ATTEMPTS

    failed = run(publish("run-1"))

    assert (failed.status, failed.attempts) == (Status.FAILED, settings.POST_INVOICING_MAX_ATTEMPTS)
    assert failed.error.startswith("Failed after 3 attempts: Could not be reached: timed out")


def test_a_delivered_delivery_is_not_sent_again_by_a_second_message(receiver, endpoint):
    sent = run(publish("run-1"))

    assert deliver_webhook.apply(args=(sent.pk,)).get() == "not_pending"
    assert len(receiver.deliveries) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_post_the_same_attempt_twice(receiver, endpoint):
    published = publish("run-1")
    receiver.answers = []
    outcomes: list[Outcome] = []
    in_post = threading.Event()
    original = receiver.respond

    def slow_respond(*args):
        in_post.set()
        receiver.release.wait(2)  # hold the first worker inside its POST
        return original(*args)

    receiver.respond = slow_respond

    def worker():
        try:
            outcomes.append(webhook_delivery_attempt(delivery_id=published.delivery_ids[0]).outcome)
        finally:
            connection.close()

    first = threading.Thread(target=worker)
    first.start()
    assert in_post.wait(5)
    worker()  # a second worker, same delivery, while the first holds it
    receiver.release.set()
    first.join(10)

    assert sorted(outcomes) == sorted([Outcome.BUSY, Outcome.DELIVERED])
    assert len(receiver.deliveries) == 1
    assert delivery(published).attempts == 1
