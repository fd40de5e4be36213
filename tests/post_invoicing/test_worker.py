"""The whole path with a real Celery worker on Redis: nightly generation, task rows,
then the worker emails, charges and syncs against the loopback servers."""

from __future__ import annotations

import pytest

from invoicing.models import Invoice
from invoicing.post_invoicing.models import InvoiceEmail, Payment, PostInvoicingTask
from invoicing.tasks import generate_due_invoices
from tests.conftest import wait_until
from tests.factories import CustomerFactory
from tests.invoicing.helpers import contract_with_line
from tests.post_invoicing.helpers import FIRST_NIGHT, START, stripe_customer
from tests.post_invoicing.servers import attachments

pytestmark = pytest.mark.slow

Status = PostInvoicingTask.Status


def _all_finished() -> bool:
    tasks = PostInvoicingTask.objects.all()
    return tasks.exists() and not tasks.filter(status=Status.PENDING).exists()


def test_the_nightly_run_on_a_worker_sends_charges_and_syncs_each_new_invoice(post_worker):
    mail, stripe, ledger = post_worker["mail"], post_worker["stripe"], post_worker["ledger"]
    customer = stripe_customer(name="Acme Widgets", billing_email="ap@acme.example")
    contract_with_line(
        start_date=START, customer=customer, auto_send=True, auto_charge=True, auto_sync=True
    )
    contract_with_line(start_date=START, customer=CustomerFactory())  # asks for nothing

    generate_due_invoices.delay(FIRST_NIGHT.isoformat())

    wait_until(_all_finished, timeout=60)
    invoice = Invoice.objects.get(contract__customer=customer)
    assert set(invoice.post_tasks.values_list("kind", "status")) == {
        ("send", "done"),
        ("charge", "done"),
        ("sync", "done"),
    }
    assert PostInvoicingTask.objects.count() == 3  # the other contract asked for nothing
    (message,) = mail.messages
    assert message["To"] == "ap@acme.example"
    assert attachments(message)[0][0] == f"{invoice.number}.pdf"
    assert InvoiceEmail.objects.get(invoice=invoice).recipient == "ap@acme.example"
    assert [r.idempotency_key for r in stripe.requests] == [f"invoice-{invoice.number}"]
    assert Payment.objects.get(invoice=invoice).status == Payment.Status.SUCCEEDED
    assert invoice.is_paid
    (delivery,) = ledger.deliveries
    assert delivery.signature_valid and delivery.event["invoice"]["number"] == invoice.number


def test_the_worker_retries_transient_failures_with_backoff_and_charges_once(post_worker):
    stripe, ledger = post_worker["stripe"], post_worker["ledger"]
    stripe.fail_times = 2  # two 500s, then Stripe is back
    ledger.answers = [400]  # accounting refuses for good
    customer = stripe_customer(name="Globex", billing_email="")  # and no email
    contract_with_line(
        start_date=START, customer=customer, auto_send=True, auto_charge=True, auto_sync=True
    )

    generate_due_invoices.delay(FIRST_NIGHT.isoformat())

    wait_until(_all_finished, timeout=60)
    tasks = {t.kind: t for t in PostInvoicingTask.objects.all()}
    assert (tasks["charge"].status, tasks["charge"].attempts) == (Status.DONE, 3)
    assert len(stripe.requests) == 3 and len({r.idempotency_key for r in stripe.requests}) == 1
    assert len(stripe.charges) == 1
    assert tasks["send"].status == Status.FAILED
    assert "has no billing email" in tasks["send"].message
    assert tasks["sync"].status == Status.FAILED and "HTTP 400" in tasks["sync"].message
    assert post_worker["mail"].messages == []
    invoice = Invoice.objects.get()
    assert invoice.status == Invoice.Status.ISSUED and invoice.is_paid
