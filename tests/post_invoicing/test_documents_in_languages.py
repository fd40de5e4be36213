"""Invoices and credit notes in the customer's language: the PDF's text read back, and the
email (subject, plain text, HTML) received by a real SMTP server on loopback."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from contracts.models import BillingSettings
from invoicing.models import Invoice
from invoicing.post_invoicing.models import PostInvoicingTask
from invoicing.services import invoice_generate
from tests.factories import ContractLineFactory, CustomerFactory
from tests.post_invoicing.helpers import contract_invoiced, pdf_text, run_task, task_of
from tests.post_invoicing.servers import attachments

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"

# What each language writes on January's invoice (10 x 12.50 at 20 %, invoiced on 2 Jan,
# due on 1 Feb, for 1-31 Jan). Column headers are set in capitals by the stylesheet.
WORDS = {
    "en": {
        "title": "Invoice",
        "facts": ("Invoice date 2 Jan 2026", "Due date 1 Feb 2026", "Billing period"),
        "period": "1 Jan 2026 – 31 Jan 2026",
        "columns": "DESCRIPTION QUANTITY UNIT PRICE TAX AMOUNT",
        "total": f"Total EUR{NBSP}150.00",
        "pay": f"Please pay EUR{NBSP}150.00 by 1 Feb 2026",
        "terms": "Payment terms: 30 days.",
        "footer": "Page 1 of 1",
    },
    "fr": {
        "title": "Facture",
        "facts": ("Date de facture 2 janv. 2026", "Date d’échéance 1 févr. 2026"),
        "period": "1 janv. 2026 – 31 janv. 2026",
        "columns": "DÉSIGNATION QUANTITÉ PRIX UNITAIRE HT TVA MONTANT HT",
        "total": f"Total TTC 150,00{NBSP}EUR",
        "pay": f"Merci de régler 150,00{NBSP}EUR au plus tard le 1 févr. 2026",
        "terms": f"Conditions de paiement{NBSP}: 30 jours.",
        "footer": "Page 1 sur 1",
    },
    "de": {
        "title": "Rechnung",
        "facts": ("Rechnungsdatum 2. Jan. 2026", "Fälligkeitsdatum 1. Feb. 2026"),
        "period": "1. Jan. 2026 – 31. Jan. 2026",
        "columns": "BESCHREIBUNG MENGE EINZELPREIS NETTO UST. NETTOBETRAG",
        "total": f"Gesamtbetrag 150,00{NBSP}EUR",
        "pay": f"Bitte zahlen Sie 150,00{NBSP}EUR bis zum 1. Feb. 2026",
        "terms": "Zahlungsziel: 30 Tage.",
        "footer": "Seite 1 von 1",
    },
}


@pytest.fixture(autouse=True)
def seller():
    row = BillingSettings.load()
    row.seller_name = "Northwind Billing GmbH"
    row.save()
    return row


def _flat(text: str) -> str:
    """The PDF's text with its line breaks as spaces: a sentence may wrap anywhere."""
    return " ".join(text.split(" \n")).replace("\n", " ")


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_invoice_pdf_reads_in_the_customers_language(language):
    invoice = contract_invoiced(customer=CustomerFactory(language=language))
    words = WORDS[language]

    text = _flat(pdf_text(invoice))

    assert f"{words['title']} {invoice.number}" in text
    for expected in (*words["facts"], words["period"], words["columns"]):
        assert expected in text, expected
    for expected in (words["total"], words["pay"], words["terms"], words["footer"]):
        assert expected in text, expected


@pytest.mark.parametrize(
    ("language", "prorated"),
    [
        ("en", "prorated 19 of 28 days"),
        ("fr", f"au prorata{NBSP}: 19 sur 28 jours"),
        ("de", "anteilig: 19 von 28 Tagen"),
    ],
)
def test_a_prorated_line_says_its_days_in_the_customers_language(language, prorated):
    invoice = contract_invoiced(customer=CustomerFactory(language=language))
    contract = invoice.contract
    ContractLineFactory(
        contract=contract,
        description="Support",
        quantity=Decimal("1"),
        unit_price=Decimal("310"),
        start_date=datetime.date(2026, 2, 10),
    )
    february = invoice_generate(
        schedule=contract.schedules.get(cycle_index=1), as_of=datetime.date(2026, 2, 2)
    )

    assert prorated in _flat(pdf_text(february))


def _credit_note_of(invoice: Invoice) -> Invoice:
    """February's invoice turned into a full credit note of January's, as the crediting
    services write one: negative amounts, the invoice it credits."""
    contract = invoice.contract
    february = invoice_generate(
        schedule=contract.schedules.get(cycle_index=1), as_of=datetime.date(2026, 2, 2)
    )
    Invoice.objects.filter(pk=february.pk).update(
        document=Invoice.Document.CREDIT_NOTE,
        credits=invoice,
        subtotal=-february.subtotal,
        tax_total=-february.tax_total,
        total=-february.total,
    )
    february.refresh_from_db()
    return february


@pytest.mark.parametrize(
    ("language", "title", "nothing_to_pay"),
    [
        ("en", "Credit note", f"the amount of EUR{NBSP}150.00 is credited to your account"),
        ("fr", "Avoir", f"le montant de 150,00{NBSP}EUR est porté au crédit de votre compte"),
        ("de", "Gutschrift", f"Der Betrag von 150,00{NBSP}EUR wird Ihrem Konto gutgeschrieben"),
    ],
)
def test_a_credit_note_is_titled_and_worded_as_one_in_each_language(
    language, title, nothing_to_pay
):
    credit_note = _credit_note_of(contract_invoiced(customer=CustomerFactory(language=language)))

    text = _flat(pdf_text(credit_note))

    assert f"{title} {credit_note.number}" in text
    assert nothing_to_pay in text


@pytest.mark.parametrize(
    ("language", "banner"), [("en", "VOID"), ("fr", "ANNULÉE"), ("de", "STORNIERT")]
)
def test_a_void_invoice_says_so_in_the_customers_language(language, banner):
    invoice = contract_invoiced(customer=CustomerFactory(language=language))
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.VOID)
    invoice.refresh_from_db()

    assert banner in pdf_text(invoice)


# Emails -----------------------------------------------------------------------------

SEND = PostInvoicingTask.Kind.SEND


def _parts(message) -> dict[str, str]:
    """The text of each body part by content type (text/plain, text/html)."""
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset())
        for part in message.walk()
        if part.get_content_type() in ("text/plain", "text/html") and not part.get_filename()
    }


@pytest.mark.usefixtures("outside_world", "eager_celery")
def test_a_french_customer_gets_a_french_email_in_text_and_html_with_the_french_pdf(mail_server):
    customer = CustomerFactory(name="Ateliers Dupont", language="fr", billing_email="ap@dupont.fr")
    invoice = contract_invoiced(customer=customer, auto_send=True)

    run_task(task_of(invoice, SEND))

    (message,) = mail_server.messages
    assert message["Subject"] == f"Facture {invoice.number} de Northwind Billing GmbH"
    assert message.get_content_type() == "multipart/mixed"
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert "Bonjour Ateliers Dupont," in body
        assert f"Veuillez trouver ci-joint la facture {invoice.number} du 2 janv. 2026" in body
        assert "Date d’échéance" in body and "1 févr. 2026" in body
        assert f"150,00{NBSP}EUR" in body
        assert "Cordialement," in body
        assert "Please" not in body and "Dear" not in body
    assert '<html lang="fr">' in parts["text/html"]
    ((filename, content_type, pdf),) = attachments(message)
    assert (filename, content_type) == (f"{invoice.number}.pdf", "application/pdf")
    assert f"Facture {invoice.number}" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.mark.parametrize(
    ("language", "subject", "sentence", "corrects"),
    [
        ("en", "Credit note", "Please find attached credit note", "It corrects invoice"),
        ("de", "Gutschrift", "anbei erhalten Sie die Gutschrift", "Sie berichtigt die Rechnung"),
    ],
)
@pytest.mark.usefixtures("outside_world", "eager_celery")
def test_a_credit_notes_email_says_it_is_a_credit_note_and_asks_for_no_payment(
    mail_server, language, subject, sentence, corrects
):
    invoice = contract_invoiced(customer=CustomerFactory(language=language), auto_send=True)
    credit_note = _credit_note_of(invoice)
    task, _ = PostInvoicingTask.objects.get_or_create(invoice=credit_note, kind=SEND)

    run_task(task)

    message = mail_server.messages[-1]
    assert message["Subject"].startswith(f"{subject} {credit_note.number}")
    for body in _parts(message).values():
        assert f"{sentence} {credit_note.number}" in body
        assert f"{corrects} {invoice.number}" in body
        assert "Due date" not in body and "Fälligkeitsdatum" not in body
