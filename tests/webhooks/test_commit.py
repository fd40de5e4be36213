"""Deliveries leave on commit, as in production: these tests commit for real
(transactional database) and use no on-commit capture.

Why the other webhook tests wrap their doors in `django_capture_on_commit_callbacks(
execute=True)`: pytest-django runs a `django_db` test inside a transaction it rolls back,
so `transaction.on_commit` callbacks (the queueing of every published delivery) never run
there unless captured and run by hand. Auto-Sync's own deliveries looked "reliable"
without it only because the sync task POSTs inline; everything else published (paid, run
finished, task failed, test event, Redeliver) waits for a commit that never comes.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from invoicing.post_invoicing.models import PostInvoicingTask
from tests.post_invoicing.helpers import contract_invoiced, run_task, task_of
from tests.webhooks.helpers import delivery, publish
from webhooks.models import WebhookDelivery, WebhookEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("outside_world", "eager_celery"),
]
Status = WebhookDelivery.Status


class Rollback(Exception):
    pass


def test_an_event_published_in_a_transaction_is_sent_only_once_it_commits(receiver, endpoint):
    with transaction.atomic():
        published = publish("run-1")
        assert receiver.deliveries == []  # a worker must never look for an uncommitted row

    assert delivery(published).status == Status.DELIVERED
    (received,) = receiver.deliveries
    assert received.signature_valid and received.headers["webhook-id"] == published.event.event_id


def test_an_event_published_in_a_transaction_rolled_back_is_neither_kept_nor_sent(
    receiver, endpoint
):
    with pytest.raises(Rollback), transaction.atomic():
        publish("run-1")
        raise Rollback

    assert not WebhookEvent.objects.exists() and receiver.deliveries == []


def test_the_doors_events_reach_the_receiver_after_their_real_commits(receiver, endpoint, ledger):
    ledger.answers = [400]
    invoice = contract_invoiced(auto_sync=True)  # the nightly run: committed, then queued

    run_task(task_of(invoice, PostInvoicingTask.Kind.SYNC))

    events = sorted(d.event["event"] for d in receiver.deliveries)
    assert events == ["invoice.issued", "post_invoicing_task.failed", "run.finished"]
    assert all(d.signature_valid for d in receiver.deliveries)
