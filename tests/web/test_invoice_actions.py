"""What a manager does on an invoice's page after generation, as admins do in admin: send
again, retry a failed task, record a transfer received; each button only where its state
and the person's permission allow it, each action on the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from invoicing.models import AuditEvent, Door, Invoice
from invoicing.post_invoicing.interventions import (
    AUDIT_SENT_AGAIN,
    AUDIT_TASKS_RETRIED,
    AUDIT_TRANSFER_RECORDED,
)
from invoicing.post_invoicing.models import Payment, PostInvoicingTask
from tests.factories import InvoiceFactory, PaymentFactory, PostInvoicingTaskFactory
from tests.web.helpers import messages_of

pytestmark = pytest.mark.django_db


def page(client, invoice) -> str:
    return client.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content.decode()


def post(client, name: str, invoice, *args):
    return client.post(reverse(f"invoicing:{name}", args=[invoice.pk, *args]))


def test_send_again_queues_the_email_and_is_audited(manager_client, manager, today):
    invoice = InvoiceFactory()

    response = post(manager_client, "send_again", invoice)

    task = PostInvoicingTask.objects.get(invoice=invoice, kind=PostInvoicingTask.Kind.SEND)
    assert task.status == PostInvoicingTask.Status.PENDING
    assert "asked by manager" in task.message
    assert AuditEvent.objects.filter(
        invoice=invoice, action=AUDIT_SENT_AGAIN, actor=manager, door=Door.MANUAL
    ).exists()
    assert response.status_code == 302 and "queued to be emailed again" in " ".join(
        messages_of(manager_client.get(response.url))
    )


def test_a_void_invoice_is_not_sent_again_and_says_why(manager_client, today):
    invoice = InvoiceFactory(status=Invoice.Status.VOID)

    response = post(manager_client, "send_again", invoice)

    assert not PostInvoicingTask.objects.filter(invoice=invoice).exists()
    assert "only issued invoices are sent" in " ".join(
        messages_of(manager_client.get(response.url))
    )
    assert "Send again" not in page(manager_client, invoice)


def test_a_failed_task_has_a_retry_button_that_queues_it_again(manager_client, manager, today):
    task = PostInvoicingTaskFactory(status=PostInvoicingTask.Status.FAILED, message="SMTP down")
    done = PostInvoicingTaskFactory(
        invoice=task.invoice, kind=PostInvoicingTask.Kind.SYNC, status="done"
    )

    shown = page(manager_client, task.invoice)
    post(manager_client, "task_retry", task.invoice, task.pk)
    post(manager_client, "task_retry", task.invoice, done.pk)

    assert reverse("invoicing:task_retry", args=[task.invoice.pk, task.pk]) in shown
    assert reverse("invoicing:task_retry", args=[task.invoice.pk, done.pk]) not in shown
    task.refresh_from_db(), done.refresh_from_db()
    assert task.status == PostInvoicingTask.Status.PENDING and done.status == "done"
    assert AuditEvent.objects.filter(action=AUDIT_TASKS_RETRIED, actor=manager).count() == 1


def test_a_task_of_another_invoice_is_not_retried_through_this_one(manager_client, today):
    task = PostInvoicingTaskFactory(status=PostInvoicingTask.Status.FAILED)
    other = InvoiceFactory()

    post(manager_client, "task_retry", other, task.pk)

    task.refresh_from_db()
    assert task.status == PostInvoicingTask.Status.FAILED


def test_a_transfer_received_pays_the_invoice_once(manager_client, manager, today):
    payment = PaymentFactory(gateway="manual", status=Payment.Status.AWAITING_TRANSFER)
    invoice = payment.invoice
    PostInvoicingTaskFactory(invoice=invoice, kind=PostInvoicingTask.Kind.CHARGE, status="done")

    assert "Record transfer received" in page(manager_client, invoice)
    post(manager_client, "transfer_received", invoice)
    again = post(manager_client, "transfer_received", invoice)

    invoice.refresh_from_db(), payment.refresh_from_db()
    assert invoice.is_paid and payment.status == Payment.Status.SUCCEEDED
    assert AuditEvent.objects.filter(action=AUDIT_TRANSFER_RECORDED, actor=manager).count() == 1
    assert "not awaiting a bank transfer" in " ".join(messages_of(manager_client.get(again.url)))
    assert "Record transfer received" not in page(manager_client, invoice)
    assert "Void…" not in page(manager_client, invoice)  # a paid invoice is not voided


def test_viewers_see_no_action_and_cannot_post_one(viewer_client, today):
    task = PostInvoicingTaskFactory(
        kind=PostInvoicingTask.Kind.CHARGE, status=PostInvoicingTask.Status.FAILED
    )
    PaymentFactory(invoice=task.invoice, gateway="manual", status="awaiting_transfer")

    shown = page(viewer_client, task.invoice)

    for label in ("Send again", "Record transfer received", "Retry", "Void…", "Generate this"):
        assert label not in shown
    for name, args in (("send_again", ()), ("transfer_received", ()), ("task_retry", (task.pk,))):
        assert post(viewer_client, name, task.invoice, *args).status_code == 403
    task.refresh_from_db()
    assert task.status == PostInvoicingTask.Status.FAILED
    assert not task.invoice.payments.filter(status="succeeded").exists()


def test_the_actions_are_posts_only(manager_client, today):
    invoice = InvoiceFactory()

    response = manager_client.get(reverse("invoicing:send_again", args=[invoice.pk]))

    assert response.status_code == 405
    assert not PostInvoicingTask.objects.exists()
