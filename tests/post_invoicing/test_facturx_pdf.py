"""The Factur-X PDF: PDF/A-3 with its XML attached, and the identities, the reverse-charge
mention and the credit-note specifics in its text (read back with pypdf)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from invoicing.models import Invoice
from invoicing.post_invoicing.facturx_xml import REVERSE_CHARGE_MENTION, invoice_facturx_xml
from invoicing.post_invoicing.pdf import invoice_pdf_render
from tests.factories import CustomerFactory
from tests.post_invoicing.documents import (
    CUSTOMER_VAT_ID,
    SELLER_IBAN,
    SELLER_VAT_ID,
    credit_note_of,
    invoice_with_reverse_charge_line,
    seller_identity_set,
)
from tests.post_invoicing.helpers import contract_invoiced, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seller():
    return seller_identity_set()


def _attachments(pdf: bytes) -> dict[str, bytes]:
    reader = PdfReader(io.BytesIO(pdf))
    return {name: contents[0] for name, contents in reader.attachments.items()}


def test_the_pdf_is_pdf_a3_carrying_its_factur_x_xml():
    invoice = invoice_with_reverse_charge_line()

    pdf = invoice_pdf_render(invoice=invoice)

    reader = PdfReader(io.BytesIO(pdf))
    assert "/AF" in reader.trailer["/Root"]
    metadata = reader.xmp_metadata
    assert metadata is not None
    xmp = metadata.stream.get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp or 'pdfaid:part="3"' in xmp
    assert "EN 16931" in xmp
    assert _attachments(pdf) == {"factur-x.xml": invoice_facturx_xml(invoice=invoice)}


def test_the_pdf_shows_both_vat_ids_the_sellers_identity_and_the_reverse_charge_mention():
    text = pdf_text(invoice_with_reverse_charge_line())

    for expected in (
        f"VAT ID {SELLER_VAT_ID}",
        f"VAT ID {CUSTOMER_VAT_ID}",
        "RCS Paris 303 265 045",
        "75002 Paris",
        "France",
        "Germany",
        "billing@lumiere.example",
        f"IBAN {SELLER_IBAN}",
        "Due date",
    ):
        assert expected in text, expected
    assert REVERSE_CHARGE_MENTION in " ".join(text.split())


def test_a_domestic_invoice_carries_no_reverse_charge_mention():
    invoice = contract_invoiced(customer=CustomerFactory(country="FR"), tax_rate="0")

    assert "Reverse charge" not in pdf_text(invoice)


def test_a_credit_note_names_the_invoice_it_credits_and_why_with_no_due_date_or_bank():
    invoice = invoice_with_reverse_charge_line()
    credit = credit_note_of(invoice, reason="Seats never used")

    text = pdf_text(credit)

    assert "Credit note" in text and "Invoice number" not in text
    assert f"Credits invoice {invoice.number} of 2 Jan 2026" in text
    assert "Reason Seats never used" in text
    assert "Due date" not in text and "Please pay" not in text
    assert "IBAN" not in text
    xml = _attachments(invoice_pdf_render(invoice=credit))["factur-x.xml"]
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml


def test_a_credited_invoice_lists_its_credit_notes():
    invoice = invoice_with_reverse_charge_line()
    credit = credit_note_of(invoice)

    text = pdf_text(Invoice.objects.get(pk=invoice.pk))

    assert f"Credited by {credit.number} of 20 Jan 2026" in text


def test_a_legacy_negative_change_log_invoice_still_reads_as_a_credit_note():
    invoice = invoice_with_reverse_charge_line()
    Invoice.objects.filter(pk=invoice.pk).update(
        subtotal=-invoice.subtotal, tax_total=-invoice.tax_total, total=-invoice.total
    )

    text = pdf_text(Invoice.objects.get(pk=invoice.pk))

    assert "Credit note number" in text and "Due date" not in text


def test_the_same_invoice_gives_the_same_text_and_the_same_xml():
    invoice = invoice_with_reverse_charge_line()

    first, second = (invoice_pdf_render(invoice=invoice) for _ in range(2))

    assert _attachments(first) == _attachments(second)
    pages = [PdfReader(io.BytesIO(pdf)).pages for pdf in (first, second)]
    assert [p.extract_text() for p in pages[0]] == [p.extract_text() for p in pages[1]]


def test_bench_document_prints_the_median_render_time():
    invoice = invoice_with_reverse_charge_line()
    out = io.StringIO()

    call_command("bench_document", "--number", invoice.number, "--repeat", "2", stdout=out)

    assert out.getvalue().startswith(f"bench_document: {invoice.number} (2 lines), median of 2:")
