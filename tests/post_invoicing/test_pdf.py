"""The invoice PDF: its text read back with pypdf, and the same bytes every time."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from contracts.models import BillingSettings
from invoicing.models import Invoice
from invoicing.post_invoicing.pdf import invoice_pdf_render
from invoicing.services import invoice_generate
from tests.factories import ContractLineFactory, CustomerFactory
from tests.post_invoicing.helpers import contract_invoiced, pdf_text

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def seller():
    row = BillingSettings.load()
    row.seller_name = "Northwind Billing GmbH"
    row.seller_address = "Hafenstraße 12\n20457 Hamburg"
    row.save()
    return row


def test_the_pdf_shows_seller_customer_number_dates_lines_and_totals(seller):
    customer = CustomerFactory(name="Acme Widgets Ltd", address="1 Market Street\nLondon")
    invoice = contract_invoiced(customer=customer)

    text = pdf_text(invoice)

    for expected in (
        "Northwind Billing GmbH",
        "Hafenstraße 12",
        "Acme Widgets Ltd",
        "1 Market Street",
        invoice.number,
        invoice.contract.number,
        "2 Jan 2026",  # invoice date
        "1 Feb 2026",  # due date: 30 days
        "1 Jan 2026 – 31 Jan 2026",  # the period
        invoice.lines.get().description,
        f"EUR{NBSP}12.50",  # unit price
        f"EUR{NBSP}125.00",  # the line and the subtotal
        f"EUR{NBSP}25.00",  # tax
        f"Total EUR{NBSP}150.00",
        f"Please pay EUR{NBSP}150.00 by",
        "Payment terms: 30 days",
    ):
        assert expected in text, expected


def test_a_prorated_line_shows_its_days(seller):
    invoice = contract_invoiced()
    contract = invoice.contract
    ContractLineFactory(
        contract=contract,
        description="Support from the 10th",
        quantity=Decimal("1"),
        unit_price=Decimal("310"),
        start_date=datetime.date(2026, 2, 10),
    )
    february = invoice_generate(
        schedule=contract.schedules.get(cycle_index=1), as_of=datetime.date(2026, 2, 2)
    )

    text = pdf_text(february)

    assert "Support from the 10th" in text
    assert "prorated 19 of 28 days" in text
    assert "210.36" in text  # 310 x 19 / 28, rounded once


def test_the_same_invoice_renders_to_the_same_bytes(seller):
    invoice = contract_invoiced()

    assert invoice_pdf_render(invoice=invoice) == invoice_pdf_render(
        invoice=Invoice.objects.get(pk=invoice.pk)
    )


def test_a_replaced_invoice_says_so_and_names_its_replacement(seller):
    old = contract_invoiced()
    new = invoice_generate(schedule=old.schedule, replace=True, as_of=datetime.date(2026, 1, 5))
    old.refresh_from_db()

    old_text = pdf_text(old)
    assert f"REPLACED BY {new.number}" in old_text  # the banner
    assert "no longer payable" in old_text and "Please pay" not in old_text
    assert f"Replaces {old.number}" in pdf_text(new)


def test_a_paid_invoice_says_paid(seller):
    invoice = contract_invoiced()
    Invoice.objects.filter(pk=invoice.pk).update(
        paid_at=timezone.make_aware(datetime.datetime(2026, 1, 9, 10, 0))
    )
    invoice.refresh_from_db()

    text = pdf_text(invoice)

    assert "Paid on 9 Jan 2026" in text
    assert "Please pay" not in text


def test_amounts_follow_the_currency_minor_unit(seller):
    invoice = contract_invoiced(currency="JPY", unit_price="1250", quantity="3")

    text = pdf_text(invoice)

    assert f"JPY{NBSP}3,750" in text  # subtotal
    assert f"Total JPY{NBSP}4,500" in text  # with 20 % tax
    assert "3,750.00" not in text


@pytest.mark.parametrize(
    ("language", "total_line", "please_pay", "price"),
    [
        ("fr", f"Total TTC 150,00{NBSP}EUR", f"Merci de régler 150,00{NBSP}EUR", f"12,50{NBSP}EUR"),
        (
            "de",
            f"Gesamtbetrag 150,00{NBSP}EUR",
            f"Bitte zahlen Sie 150,00{NBSP}EUR",
            f"12,50{NBSP}EUR",
        ),
        ("en", f"Total EUR{NBSP}150.00", f"Please pay EUR{NBSP}150.00 by", f"EUR{NBSP}12.50"),
    ],
)
def test_amounts_are_written_in_the_customers_language(
    seller, language, total_line, please_pay, price
):
    invoice = contract_invoiced(customer=CustomerFactory(language=language))

    text = pdf_text(invoice)

    assert total_line in text and please_pay in text
    assert price in text


def test_quantities_are_written_like_the_amounts_beside_them(seller):
    invoice = contract_invoiced(customer=CustomerFactory(language="de"), quantity="2.5")

    text = pdf_text(invoice)

    # 2.5 x 12.50 = 31.25, tax 20 %: 6.25
    assert f"2,5 12,50{NBSP}EUR 20 % 31,25{NBSP}EUR" in text


def test_a_credit_note_shows_its_negative_total_and_credits_the_amount(seller):
    invoice = contract_invoiced()
    Invoice.objects.filter(pk=invoice.pk).update(
        subtotal=Decimal("-457.3333"), tax_total=Decimal("-91.4667"), total=Decimal("-548.80")
    )
    invoice.refresh_from_db()

    text = pdf_text(invoice)

    assert f"Total -EUR{NBSP}548.80" in text
    assert f"the amount of EUR{NBSP}548.80 is credited" in text


def test_many_lines_flow_onto_numbered_pages(seller):
    invoice = contract_invoiced()
    for position in range(60):
        invoice.lines.create(
            position=position + 1,
            description=f"Extra line {position}",
            quantity=1,
            unit_price=0,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            proration=1,
            amount=0,
            tax_rate=0,
            tax_amount=0,
        )

    reader = PdfReader(io.BytesIO(invoice_pdf_render(invoice=invoice)))

    assert len(reader.pages) >= 2
    assert f"Page 2 of {len(reader.pages)}" in reader.pages[1].extract_text()
    assert "Extra line 59" in "".join(page.extract_text() for page in reader.pages)
