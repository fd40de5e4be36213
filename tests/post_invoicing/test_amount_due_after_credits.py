"""An invoice with credit notes says, on its PDF, its email and its page, what each credit
note took back and the amount still due (or, once paid, what is owed back)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import Invoice
from invoicing.post_invoicing.sending import invoice_email_build
from invoicing.services.partial_crediting import credit_note_issue
from tests.post_invoicing.helpers import contract_invoiced, pdf_text

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def credited(currency: str, unit_price: str, net: str) -> tuple[Invoice, Invoice]:
    invoice = contract_invoiced(currency=currency, unit_price=unit_price)
    note = credit_note_issue(
        invoice=invoice, amounts={invoice.lines.get().pk: Decimal(net)}, reason="Goodwill"
    )
    invoice.refresh_from_db()
    return invoice, note


# 10 × 12.50 + 20 % = 150.00; 50.00 taken back with its 10.00 tax: 90.00 due.
# In yen: 10 × 1,250 + 20 % = 15,000; 5,000 + 1,000 taken back: 9,000 due.
CASES = [
    ("EUR", "12.50", "50.00", f"-EUR{NBSP}60.00", f"EUR{NBSP}90.00"),
    ("JPY", "1250", "5000", f"-JPY{NBSP}6,000", f"JPY{NBSP}9,000"),
]


@pytest.mark.parametrize(("currency", "price", "net", "credit", "due"), CASES)
def test_the_pdf_shows_each_credit_and_the_amount_still_due(currency, price, net, credit, due):
    invoice, note = credited(currency, price, net)

    text = pdf_text(invoice)

    assert f"Credited ({note.number}) {credit}" in text
    assert f"Amount due {due}" in text
    assert f"Please pay {due} by" in text


@pytest.mark.parametrize(("currency", "price", "net", "credit", "due"), CASES)
def test_the_email_shows_each_credit_and_the_amount_still_due(currency, price, net, credit, due):
    invoice, note = credited(currency, price, net)

    email = invoice_email_build(invoice=invoice, recipient="ap@customer.example")

    assert f"Credited ({note.number}): {credit}" in email.body
    assert f"Amount due: {due}" in email.body
    html = email.alternatives[0][0]
    assert note.number in html and due in html


def test_a_paid_invoice_with_a_credit_says_what_is_owed_back():
    invoice, note = credited("EUR", "12.50", "50.00")
    Invoice.objects.filter(pk=invoice.pk).update(paid_at=timezone.now())
    invoice.refresh_from_db()

    text = pdf_text(invoice)

    assert f"Credited ({note.number}) -EUR{NBSP}60.00" in text
    assert f"Owed back to you EUR{NBSP}60.00" in text
    assert "Amount due" not in text


def test_an_invoice_credited_in_full_has_nothing_left_to_pay():
    invoice, _ = credited("EUR", "12.50", "125.00")

    text = pdf_text(invoice)

    assert f"Amount due EUR{NBSP}0.00" in text
    assert "Please pay" not in text
    assert "Nothing left to pay: its credit notes take back all of it." in text


def test_the_french_pdf_says_credited_and_amount_due():
    invoice, note = credited("EUR", "12.50", "50.00")
    invoice.contract.customer.language = "fr"
    invoice.contract.customer.save()

    text = pdf_text(invoice)

    assert f"Avoir ({note.number})" in text and "Montant dû" in text


def test_the_invoice_page_shows_the_amount_due(admin_client):
    invoice, note = credited("EUR", "12.50", "50.00")

    page = admin_client.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content.decode()

    assert "Amount due" in page and f"EUR{NBSP}90.00" in page
