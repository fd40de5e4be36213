"""Two real Celery worker processes on Redis deliver a burst of events, every delivery
queued twice (as a sweep racing a slow queue would): the receiver gets each event once."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from tests.conftest import wait_until
from tests.post_invoicing.conftest import FAST_RETRIES
from tests.post_invoicing.servers import Ledger
from tests.webhooks.helpers import publish
from webhooks.events import SUBSCRIBABLE
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_deliveries_enqueue, webhook_endpoint_create
from webhooks.signing import secret_generate

pytestmark = pytest.mark.slow

BURST = 40


class SlowReceiver(Ledger):
    """A receiver taking 20 ms per request: long enough for the two workers to overlap."""

    def respond(self, method, path, headers, body):
        time.sleep(0.02)
        return super().respond(method, path, headers, body)


@pytest.fixture
def slow_receiver():
    server = SlowReceiver(secret=secret_generate()).start()
    yield server
    server.stop()


def finished_messages(workers) -> int:
    return sum(
        worker.log_path.read_text().count("webhooks.tasks.deliver_webhook[") // 2
        for worker in workers
    )


def test_two_workers_deliver_a_burst_queued_twice_and_the_receiver_gets_each_event_once(
    celery_workers, slow_receiver
):
    env = {"CELERY_TASK_ALWAYS_EAGER": "False", **{k: str(v) for k, v in FAST_RETRIES.items()}}
    workers = [celery_workers(**env), celery_workers(**env)]
    webhook_endpoint_create(
        url=f"{slow_receiver.url}/hooks", events=sorted(SUBSCRIBABLE), secret=slow_receiver.secret
    )

    with transaction.atomic():  # one commit, then the burst is queued
        ids = [publish(f"run-{n}").delivery_ids[0] for n in range(BURST)]
    assert webhook_deliveries_enqueue(delivery_ids=ids)  # and every one queued again

    wait_until(lambda: finished_messages(workers) >= 2 * BURST, timeout=120)
    received = [d.headers["webhook-id"] for d in slow_receiver.deliveries]
    assert len(received) == BURST and len(set(received)) == BURST
    assert all(d.signature_valid for d in slow_receiver.deliveries)
    rows = WebhookDelivery.objects.filter(pk__in=ids)
    assert set(rows.values_list("status", "attempts")) == {("delivered", 1)}
    # Both processes delivered some: the burst was really shared.
    assert all("'delivered'" in worker.log_path.read_text() for worker in workers)
