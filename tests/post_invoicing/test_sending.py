"""Auto-Send: a real SMTP server on loopback receives the invoice and its PDF."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from invoicing.models import Invoice
from invoicing.post_invoicing import errors
from invoicing.post_invoicing.interventions import invoices_send_again
from invoicing.post_invoicing.models import InvoiceEmail, PostInvoicingTask
from tests.factories import CustomerFactory
from tests.post_invoicing.helpers import contract_invoiced, run_task, task_of
from tests.post_invoicing.servers import attachments

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outside_world", "eager_celery")]

SEND = PostInvoicingTask.Kind.SEND
Status = PostInvoicingTask.Status


def test_the_invoice_is_emailed_with_its_pdf_to_the_billing_email(mail_server):
    customer = CustomerFactory(name="Acme Widgets", billing_email="ap@acme.example")
    invoice = contract_invoiced(customer=customer, auto_send=True)

    task = run_task(task_of(invoice, SEND))

    assert task.status == Status.DONE
    assert task.message == errors.SENT.format(email="ap@acme.example")
    (message,) = mail_server.messages
    assert message["To"] == "ap@acme.example"
    assert invoice.number in message["Subject"]
    ((filename, content_type, pdf),) = attachments(message)
    assert (filename, content_type) == (f"{invoice.number}.pdf", "application/pdf")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert invoice.number in text and "150.00" in text


def test_the_email_sent_is_recorded_with_when_and_to_whom(mail_server):
    invoice = contract_invoiced(
        customer=CustomerFactory(billing_email="ap@acme.example"), auto_send=True
    )

    task = run_task(task_of(invoice, SEND))

    sent = InvoiceEmail.objects.get(invoice=invoice)
    assert sent.recipient == "ap@acme.example"
    assert sent.task == task
    assert sent.sent_at is not None
    assert mail_server.messages[0]["Message-ID"] == sent.message_id


def test_a_task_delivered_twice_sends_one_email(mail_server):
    invoice = contract_invoiced(auto_send=True)
    task = task_of(invoice, SEND)

    run_task(task)
    run_task(task)

    assert len(mail_server.messages) == 1
    assert InvoiceEmail.objects.filter(invoice=invoice).count() == 1


@pytest.mark.parametrize(
    ("billing_email", "reason"),
    [
        ("", errors.NO_BILLING_EMAIL.format(customer="Nomail Ltd")),
        (
            "not-an-address",
            errors.INVALID_BILLING_EMAIL.format(customer="Nomail Ltd", email="not-an-address"),
        ),
    ],
)
def test_a_customer_without_a_valid_billing_email_fails_the_task_and_nothing_is_sent(
    mail_server, billing_email, reason
):
    customer = CustomerFactory(name="Nomail Ltd", billing_email=billing_email)
    invoice = contract_invoiced(customer=customer, auto_send=True)

    task = run_task(task_of(invoice, SEND))

    assert (task.status, task.message, task.attempts) == (Status.FAILED, reason, 1)
    assert mail_server.messages == []
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


def test_a_recipient_the_mail_server_refuses_for_good_fails_at_once(mail_server):
    mail_server.refuse = "550 5.1.1 No such user here"
    invoice = contract_invoiced(
        customer=CustomerFactory(billing_email="gone@acme.example"), auto_send=True
    )

    task = run_task(task_of(invoice, SEND))

    assert task.status == Status.FAILED
    assert task.attempts == 1
    assert "550" in task.message and "No such user here" in task.message


def test_an_unreachable_mail_server_is_retried_then_fails_with_the_reason(settings, mail_server):
    invoice = contract_invoiced(auto_send=True)
    mail_server.stop()  # nobody listens on the port any more: connection refused

    task = run_task(task_of(invoice, SEND))

    assert task.status == Status.FAILED
    assert task.attempts == settings.POST_INVOICING_MAX_ATTEMPTS
    assert task.message.startswith("Failed after 3 attempts: The mail server could not be reached")
    assert not InvoiceEmail.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


def test_a_temporary_refusal_is_retried_and_succeeds_once_the_server_accepts(mail_server):
    invoice = contract_invoiced(auto_send=True)
    mail_server.refuse = "451 4.3.0 Try again later"
    task = task_of(invoice, SEND)

    from invoicing.post_invoicing.running import Outcome, post_task_run

    assert post_task_run(task_id=task.pk) == Outcome.RETRY
    task.refresh_from_db()
    assert task.status == Status.PENDING and "451" in task.message
    mail_server.refuse = None
    assert post_task_run(task_id=task.pk) == Outcome.DONE
    assert len(mail_server.messages) == 1


def test_send_again_emails_a_second_time_and_keeps_both_records(
    mail_server, django_capture_on_commit_callbacks
):
    invoice = contract_invoiced(auto_send=True)
    run_task(task_of(invoice, SEND))

    with django_capture_on_commit_callbacks(execute=True):
        result = invoices_send_again(invoice_ids=[invoice.pk])

    assert result.done == 1
    assert len(mail_server.messages) == 2
    assert InvoiceEmail.objects.filter(invoice=invoice).count() == 2
    assert task_of(invoice, SEND).status == Status.DONE


def test_send_again_works_for_a_contract_without_auto_send(
    mail_server, django_capture_on_commit_callbacks
):
    invoice = contract_invoiced(auto_send=False)

    with django_capture_on_commit_callbacks(execute=True):
        invoices_send_again(invoice_ids=[invoice.pk])

    assert len(mail_server.messages) == 1


def test_a_replaced_invoice_is_not_sent(mail_server):
    invoice = contract_invoiced(auto_send=True)
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.REPLACED)

    task = run_task(task_of(invoice, SEND))

    assert task.status == Status.SKIPPED
    assert task.message == errors.NOT_LIVE.format(number=invoice.number, status="replaced")
    assert mail_server.messages == []


def test_send_again_refuses_an_invoice_that_is_no_longer_issued(mail_server):
    invoice = contract_invoiced(auto_send=False)
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.VOID)

    result = invoices_send_again(invoice_ids=[invoice.pk])

    assert result.done == 0
    assert result.refused == [errors.CANNOT_SEND_AGAIN.format(number=invoice.number, status="void")]
    assert not PostInvoicingTask.objects.filter(invoice=invoice).exists()
