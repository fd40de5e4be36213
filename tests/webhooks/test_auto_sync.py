"""Auto-Sync follows its deliveries: a failed sync task whose event is redelivered from the
webhooks admin and received shows Auto-Sync done on the invoice page; Retry on a failed
sync task (invoice page or the tasks list) reopens its deliveries and delivers them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from invoicing.post_invoicing.models import PostInvoicingTask
from invoicing.post_invoicing.syncing import invoice_event_id
from tests.factories import AdminFactory
from tests.post_invoicing.helpers import contract_invoiced, run_task, task_of
from webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outside_world", "eager_celery")]
Kind = PostInvoicingTask.Kind
Status = PostInvoicingTask.Status
DELIVERIES = reverse("admin:webhooks_webhookdelivery_changelist")
TASKS = reverse("admin:invoicing_postinvoicingtask_changelist")
DONE_BADGE = '<strong style="color: #047857">Done</strong>'
FAILED_BADGE = '<strong style="color: #b91c1c">Failed</strong>'


@pytest.fixture
def admin(client):
    client.force_login(AdminFactory())
    return client


@pytest.fixture
def failed_sync(ledger):
    """An invoice whose Auto-Sync failed for good: accounting answered 400 once."""
    ledger.answers = [400]
    invoice = contract_invoiced(auto_sync=True)
    task = run_task(task_of(invoice, Kind.SYNC))
    assert task.status == Status.FAILED
    return invoice


def delivery_of(invoice) -> WebhookDelivery:
    event_id = invoice_event_id(invoice.number, "invoice.issued")
    return WebhookDelivery.objects.get(event__event_id=event_id)


def invoice_page(client, invoice) -> str:
    return client.get(reverse("admin:invoicing_invoice_change", args=[invoice.pk])).content.decode()


def test_a_failed_sync_redelivered_and_received_shows_auto_sync_done_on_the_invoice_page(
    admin, failed_sync, ledger, django_capture_on_commit_callbacks
):
    assert FAILED_BADGE in invoice_page(admin, failed_sync)
    delivery = delivery_of(failed_sync)

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(DELIVERIES, {"action": "redeliver_action", "_selected_action": [delivery.pk]})

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert len(ledger.booked) == 1 and ledger.deliveries[-1].signature_valid
    task = task_of(failed_sync, Kind.SYNC)
    assert (task.status, task.message) == (
        Status.DONE,
        "Delivered invoice.issued: Accounting: HTTP 200.",
    )
    assert task.finished_at is not None and task.attempts == 1  # the task itself ran once
    page = invoice_page(admin, failed_sync)
    assert DONE_BADGE in page and FAILED_BADGE not in page


def test_a_redelivery_refused_again_leaves_the_sync_task_failed(
    admin, failed_sync, ledger, django_capture_on_commit_callbacks
):
    ledger.answers = [400]
    delivery = delivery_of(failed_sync)

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(DELIVERIES, {"action": "redeliver_action", "_selected_action": [delivery.pk]})

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and len(ledger.deliveries) == 2
    assert task_of(failed_sync, Kind.SYNC).status == Status.FAILED
    assert FAILED_BADGE in invoice_page(admin, failed_sync)


def test_a_sync_delivery_left_pending_by_a_task_that_gave_up_settles_the_task_when_delivered(
    failed_sync, ledger
):
    """A worker that took a delivery (BUSY for the task) can outlive the task's last
    attempt: the task fails, and the delivery, delivered later, makes it done."""
    from webhooks.tasks import deliver_webhook

    delivery = delivery_of(failed_sync)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="pending", attempts=1, error="")

    deliver_webhook.apply(args=(delivery.pk,))

    assert task_of(failed_sync, Kind.SYNC).status == Status.DONE


@pytest.mark.parametrize("door", ["invoice page", "tasks list"])
def test_retry_on_a_failed_sync_task_reopens_its_delivery_and_delivers_it(
    admin, failed_sync, ledger, door, django_capture_on_commit_callbacks
):
    task = task_of(failed_sync, Kind.SYNC)
    with django_capture_on_commit_callbacks(execute=True):
        if door == "invoice page":
            url = reverse("admin:invoicing_invoice_retry_task", args=[failed_sync.pk, task.pk])
            admin.post(url)
        else:
            admin.post(TASKS, {"action": "retry_action", "_selected_action": [task.pk]})

    task.refresh_from_db()
    assert (task.status, task.attempts) == (Status.DONE, 2)
    delivery = delivery_of(failed_sync)
    # Reopened with a fresh retry budget: this is its first attempt since.
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    assert len(ledger.deliveries) == 2 and all(d.signature_valid for d in ledger.deliveries)
    assert {d.headers["webhook-id"] for d in ledger.deliveries} == {delivery.event.event_id}
    assert len(ledger.booked) == 1
    assert DONE_BADGE in invoice_page(admin, failed_sync)


def test_retry_needs_a_post(admin, failed_sync, ledger):
    task = task_of(failed_sync, Kind.SYNC)

    response = admin.get(
        reverse("admin:invoicing_invoice_retry_task", args=[failed_sync.pk, task.pk])
    )

    assert response.status_code == 405
    assert task_of(failed_sync, Kind.SYNC).status == Status.FAILED
    assert delivery_of(failed_sync).status == WebhookDelivery.Status.FAILED
