"""One invoice's total reads the same wherever it is shown: its page, the invoice list,
the admin changelist, the email and the PDF (the customer's language aside), and is a
plain figure in the CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing.models import Invoice
from invoicing.post_invoicing.sending import invoice_email_build
from tests.factories import CustomerFactory
from tests.post_invoicing.helpers import contract_invoiced, pdf_text

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
NNBSP = "\u202f"


def _invoice(language: str, total: str | None = None) -> Invoice:
    """1 x 840.00 at 20 % tax: EUR 1,008.00; or a credit note of `total` (tax 20 %)."""
    invoice = contract_invoiced(
        customer=CustomerFactory(language=language), quantity="1", unit_price="840"
    )
    if total is not None:
        amount = Decimal(total)
        tax = (amount / 6).quantize(Decimal("0.01"))
        Invoice.objects.filter(pk=invoice.pk).update(
            subtotal=amount - tax, tax_total=tax, total=amount
        )
        invoice.refresh_from_db()
    return invoice


def _shown_by_staff(admin_client, invoice: Invoice) -> dict[str, str]:
    pages = {
        "invoice page": reverse("invoicing:invoice_detail", args=[invoice.pk]),
        "invoice list": reverse("invoicing:invoice_list"),
        "admin changelist": reverse("admin:invoicing_invoice_changelist"),
        "admin change page": reverse("admin:invoicing_invoice_change", args=[invoice.pk]),
    }
    return {name: admin_client.get(url).content.decode() for name, url in pages.items()}


def _shown_to_the_customer(invoice: Invoice) -> dict[str, str]:
    email = invoice_email_build(invoice=invoice, recipient="ap@customer.example")
    return {"email body": str(email.body), "PDF": pdf_text(invoice)}


@pytest.mark.parametrize(
    ("total", "shown"),
    [(None, f"EUR{NBSP}1,008.00"), ("-548.80", f"-EUR{NBSP}548.80")],
)
def test_the_total_reads_the_same_on_every_page_the_email_and_the_pdf(admin_client, total, shown):
    invoice = _invoice("en", total)

    everywhere = _shown_by_staff(admin_client, invoice) | _shown_to_the_customer(invoice)

    assert {name: shown in text for name, text in everywhere.items()} == dict.fromkeys(
        everywhere, True
    )
    assert "1008.0000" not in everywhere["admin changelist"]
    assert "\u2212" not in "".join(everywhere.values())  # one minus sign: the locale's


def test_staff_read_their_language_and_the_customer_reads_theirs(admin_client):
    invoice = _invoice("fr")

    staff = _shown_by_staff(admin_client, invoice)
    customer = _shown_to_the_customer(invoice)

    assert all(f"EUR{NBSP}1,008.00" in text for text in staff.values())
    assert all(f"1{NNBSP}008,00{NBSP}EUR" in text for text in customer.values())


def test_the_csv_holds_the_plain_figure_beside_its_currency(admin_client):
    invoice = _invoice("en", "-548.80")

    response = admin_client.get(reverse("invoicing:invoice_list_csv"))

    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert (row["number"], row["currency"], row["total"]) == (invoice.number, "EUR", "-548.80")
