"""Post-invoicing in the admin: state on the invoice, the PDF, Retry and Send again."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import Customer
from invoicing.models import AuditEvent
from invoicing.post_invoicing.interventions import AUDIT_SENT_AGAIN, AUDIT_TASKS_RETRIED
from invoicing.post_invoicing.models import Payment, PostInvoicingTask
from tests.factories import AdminFactory, CustomerFactory, UserFactory
from tests.post_invoicing.helpers import contract_invoiced, run_task, stripe_customer, task_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outside_world", "eager_celery")]

Kind = PostInvoicingTask.Kind
Status = PostInvoicingTask.Status


def change_url(invoice) -> str:
    return reverse("admin:invoicing_invoice_change", args=[invoice.pk])


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


@pytest.fixture
def failed_send():
    """An invoice whose Auto-Send failed: its customer had no billing email."""
    customer = CustomerFactory(name="Nomail Ltd", billing_email="")
    invoice = contract_invoiced(customer=customer, auto_send=True, auto_sync=True)
    run_task(task_of(invoice, Kind.SEND))
    run_task(task_of(invoice, Kind.SYNC))
    return invoice


def test_the_invoice_page_shows_each_task_with_its_state_attempts_and_reason(
    admin_client, failed_send
):
    content = admin_client.get(change_url(failed_send)).content.decode()

    assert "Post-invoicing tasks" in content
    assert "Auto-Send" in content and "Auto-Sync" in content
    assert "Failed" in content and "Done" in content
    assert "has no billing email: nothing was sent." in content
    assert reverse("admin:invoicing_invoice_pdf", args=[failed_send.pk]) in content
    assert "Retry" in content and "Send again" in content


def test_the_invoice_page_shows_the_payment_and_paid(admin_client, fake_stripe):
    invoice = contract_invoiced(customer=stripe_customer(), auto_charge=True)
    run_task(task_of(invoice, Kind.CHARGE))

    content = admin_client.get(change_url(invoice)).content.decode()

    payment = Payment.objects.get(invoice=invoice)
    assert payment.gateway_reference in content
    assert payment.idempotency_key in content
    assert "<strong>Paid</strong>" in content


def test_the_admin_downloads_the_pdf(admin_client, failed_send):
    response = admin_client.get(reverse("admin:invoicing_invoice_pdf", args=[failed_send.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_retry_on_the_invoice_page_runs_the_failed_task_again(
    admin_client, failed_send, mail_server, django_capture_on_commit_callbacks
):
    task = task_of(failed_send, Kind.SEND)
    Customer.objects.filter(pk=failed_send.contract.customer_id).update(
        billing_email="ap@fixed.example"
    )
    url = reverse("admin:invoicing_invoice_retry_task", args=[failed_send.pk, task.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)

    assert response.status_code == 302 and response.url == change_url(failed_send)
    task.refresh_from_db()
    assert (task.status, task.attempts) == (Status.DONE, 2)
    assert [m["To"] for m in mail_server.messages] == ["ap@fixed.example"]
    assert AuditEvent.objects.filter(action=AUDIT_TASKS_RETRIED, invoice=failed_send).exists()


def test_send_again_on_the_invoice_page_emails_it(
    admin_client, mail_server, django_capture_on_commit_callbacks
):
    invoice = contract_invoiced(customer=CustomerFactory(billing_email="ap@acme.example"))
    url = reverse("admin:invoicing_invoice_send_again", args=[invoice.pk])

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url)

    assert [m["To"] for m in mail_server.messages] == ["ap@acme.example"]
    assert AuditEvent.objects.filter(action=AUDIT_SENT_AGAIN, invoice=invoice).exists()


def test_the_retry_action_of_the_invoice_list_retries_only_failed_tasks(
    admin_client, failed_send, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:invoicing_invoice_changelist"),
            {"action": "retry_post_tasks_action", "_selected_action": [failed_send.pk]},
            follow=True,
        )

    assert "1 post-invoicing task(s) queued again." in response.content.decode()
    assert task_of(failed_send, Kind.SYNC).attempts == 1  # done: not run again
    assert task_of(failed_send, Kind.SEND).attempts == 2


def test_the_state_of_post_invoicing_shows_in_the_invoice_list(admin_client, failed_send):
    content = admin_client.get(reverse("admin:invoicing_invoice_changelist")).content.decode()

    assert "Auto-Send <strong" in content


def test_the_invoice_list_stays_at_a_constant_number_of_queries(admin_client):
    url = reverse("admin:invoicing_invoice_changelist")
    contract_invoiced(auto_send=True, auto_sync=True)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as one:
        admin_client.get(url)
    for _ in range(4):
        contract_invoiced(auto_send=True, auto_charge=True)

    with CaptureQueriesContext(connection) as five:
        admin_client.get(url)

    assert len(five) == len(one)


def test_the_task_list_retries_selected_tasks(
    admin_client, failed_send, django_capture_on_commit_callbacks
):
    task = task_of(failed_send, Kind.SEND)
    url = reverse("admin:invoicing_postinvoicingtask_changelist")
    assert (
        "has no billing email"
        in admin_client.get(url, {"status__exact": "failed"}).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "retry_action", "_selected_action": [task.pk]})

    task.refresh_from_db()
    assert task.attempts == 2


def test_a_staff_member_without_the_retry_permission_cannot_retry(client, failed_send):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client.force_login(user)
    task = task_of(failed_send, Kind.SEND)

    page = client.get(change_url(failed_send)).content.decode()
    response = client.post(
        reverse("admin:invoicing_invoice_retry_task", args=[failed_send.pk, task.pk])
    )

    assert "Send again" not in page
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.attempts == 1


def test_retry_and_send_again_refuse_a_get(admin_client, failed_send):
    url = reverse("admin:invoicing_invoice_send_again", args=[failed_send.pk])

    assert admin_client.get(url).status_code == 405


def test_the_invoice_list_filters_invoices_with_a_failed_task(admin_client, failed_send):
    other = contract_invoiced(auto_send=False)
    url = reverse("admin:invoicing_invoice_changelist")

    rows = admin_client.get(url, {"post_task_status": "failed"}).context["cl"].result_list

    assert list(rows) == [failed_send]
    assert other not in rows
