"""Builders shared by the post-invoicing tests."""

from __future__ import annotations

import datetime
import io

from pypdf import PdfReader

from invoicing.models import Invoice
from invoicing.post_invoicing.models import PostInvoicingTask
from invoicing.post_invoicing.pdf import invoice_pdf_render
from invoicing.post_invoicing.tasks import run_post_invoicing_task
from tests.factories import CustomerFactory
from tests.invoicing.helpers import contract_with_line, run_nightly

START = datetime.date(2026, 1, 1)
FIRST_NIGHT = datetime.date(2026, 1, 2)  # January's invoice, monthly in advance, offset +1


def stripe_customer(**fields):
    return CustomerFactory(
        stripe_customer_id="cus_test_1", stripe_payment_method_id="pm_card_visa", **fields
    )


def contract_invoiced(*, customer=None, as_of=FIRST_NIGHT, **terms) -> Invoice:
    """A monthly contract (10 x 12.50 at 20 % tax: 150.00) with January invoiced by the
    nightly run; terms give its auto_send / auto_charge / auto_sync."""
    contract = contract_with_line(start_date=START, customer=customer or CustomerFactory(), **terms)
    run_nightly(as_of, [contract.pk])
    return contract.invoices.get(period_start=START, status=Invoice.Status.ISSUED)


def task_of(invoice: Invoice, kind: str) -> PostInvoicingTask:
    return PostInvoicingTask.objects.get(invoice=invoice, kind=kind)


def run_task(task: PostInvoicingTask) -> PostInvoicingTask:
    """Run the Celery task inline, retries included (eager_celery), and reload the row."""
    run_post_invoicing_task.apply(args=(task.pk,))
    task.refresh_from_db()
    return task


def pdf_text(invoice: Invoice) -> str:
    """The text of the invoice's PDF, read back as a customer's reader would."""
    reader = PdfReader(io.BytesIO(invoice_pdf_render(invoice=invoice)))
    return "\n".join(page.extract_text() for page in reader.pages)
