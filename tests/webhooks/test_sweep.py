"""Nothing is lost: a broker unreachable at publish time, or a lost message, leaves the
delivery pending and overdue, and the beat sweep queues it again."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from billing_site.celery import app
from tests.conftest import free_port
from tests.webhooks.helpers import delivery, publish
from webhooks import errors
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_deliveries_requeue_stalled
from webhooks.services.queueing import STALLED_AFTER

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


@pytest.fixture
def broker_unreachable():
    """The Celery app's broker pointed at a closed port (never a stopped shared server)."""
    kept = (app.conf.broker_url, app.conf.broker_write_url, app._pool, app.amqp._producer_pool)
    # A new connection pool on the closed port; the working one is put back afterwards.
    app._pool, app.amqp._producer_pool = None, None
    app.conf.broker_url = app.conf.broker_write_url = f"redis://127.0.0.1:{free_port()}/0"
    yield
    if app._pool is not None:
        app._pool.force_close_all()
    app.conf.broker_url, app.conf.broker_write_url, app._pool, app.amqp._producer_pool = kept


def test_an_unreachable_broker_at_publish_loses_nothing_and_the_sweep_delivers(
    receiver, endpoint, broker_unreachable, django_capture_on_commit_callbacks, eager_celery
):
    app.conf.task_always_eager = False  # publishing must really reach for the broker
    with django_capture_on_commit_callbacks(execute=True):
        published = publish("run-1")

    waiting = delivery(published)
    assert (waiting.status, waiting.error) == (Status.PENDING, errors.NOT_QUEUED)
    assert receiver.deliveries == []

    app.conf.task_always_eager = True  # the broker answers again (tasks run inline)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_requeue_stalled() == 1

    sent = delivery(published)
    assert (sent.status, sent.attempts, sent.error) == (Status.DELIVERED, 1, "")
    assert len(receiver.deliveries) == 1 and receiver.deliveries[0].signature_valid


def test_the_sweep_takes_a_lost_message_only_once_it_is_overdue(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the message is lost
        published = publish("run-1")
    due = delivery(published).next_attempt_at

    assert webhook_deliveries_requeue_stalled(now=due + STALLED_AFTER / 2) == 0
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert webhook_deliveries_requeue_stalled(now=due + STALLED_AFTER) == 1
    assert len(queued) == 1
    # Queued again: due from now, so the next sweep leaves it alone while it is in flight.
    assert webhook_deliveries_requeue_stalled(now=due + STALLED_AFTER) == 0


def test_the_sweep_leaves_delivered_failed_and_waiting_deliveries_alone(receiver, endpoint):
    later = timezone.now() + datetime.timedelta(hours=1)
    for key, status in [("a", Status.DELIVERED), ("b", Status.FAILED), ("c", Status.PENDING)]:
        row = delivery(publish(key))
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=status, delivered_at=timezone.now(), next_attempt_at=later
        )

    assert webhook_deliveries_requeue_stalled(now=later + STALLED_AFTER / 2) == 0
