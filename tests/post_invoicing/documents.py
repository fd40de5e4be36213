"""The sample documents of the Factur-X and PDF tests: a French seller, a German customer
with a VAT ID (0 % lines are reverse-charged), EUR and JPY invoices, and a credit note."""

from __future__ import annotations

import datetime
from decimal import Decimal

from lxml import etree

from contracts.models import BillingSettings
from invoicing.models import Invoice
from tests.factories import ContractLineFactory, CustomerFactory
from tests.invoicing.helpers import contract_with_line, run_nightly
from tests.post_invoicing.helpers import FIRST_NIGHT, START

SELLER_VAT_ID = "FR40303265045"
SELLER_IBAN = "FR1420041010050500013M02606"
SELLER_BIC = "BNPAFRPPXXX"
CUSTOMER_VAT_ID = "DE136695976"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def seller_identity_set() -> BillingSettings:
    row = BillingSettings.load()
    row.seller_name = "Lumière Logiciels SAS"
    row.seller_address = "12 rue de la Paix\nBâtiment B"
    row.seller_postcode = "75002"
    row.seller_city = "Paris"
    row.seller_country = "FR"
    row.seller_vat_id = SELLER_VAT_ID
    row.seller_registration = "RCS Paris 303 265 045"
    row.seller_email = "billing@lumiere.example"
    row.seller_bank_name = "BNP Paribas"
    row.seller_iban = SELLER_IBAN
    row.seller_bic = SELLER_BIC
    row.full_clean()
    row.save()
    return row


def german_customer(**fields):
    return CustomerFactory(
        name="Nordwind Handel GmbH",
        address="Hafenstraße 12\n20457 Hamburg",
        country="DE",
        vat_id=CUSTOMER_VAT_ID,
        **fields,
    )


def invoice_with_reverse_charge_line() -> Invoice:
    """EUR: 10 x 12.50 at 20 % and 3 x 33.33 at 0 % (reverse-charged), January invoiced."""
    contract = contract_with_line(start_date=START, customer=german_customer())
    ContractLineFactory(
        contract=contract,
        description="Consulting days",
        quantity=Decimal("3"),
        unit_price=Decimal("33.33"),
        tax_rate=Decimal("0"),
    )
    run_nightly(FIRST_NIGHT, [contract.pk])
    return contract.invoices.get(period_start=START)


def jpy_invoice() -> Invoice:
    contract = contract_with_line(
        start_date=START,
        currency="JPY",
        unit_price="1250",
        quantity="3",
        customer=german_customer(),
    )
    run_nightly(FIRST_NIGHT, [contract.pk])
    return contract.invoices.get(period_start=START)


def credit_note_of(invoice: Invoice, *, reason="Seats never used") -> Invoice:
    """A full credit note, written directly as a row: every amount negative, `credits` set."""
    credit = Invoice.objects.create(
        number="CN-000001",
        document=Invoice.Document.CREDIT_NOTE,
        credits=invoice,
        credit_reason=reason,
        contract=invoice.contract,
        kind=Invoice.Kind.CHANGE_LOG,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        invoice_date=datetime.date(2026, 1, 20),
        due_date=datetime.date(2026, 1, 20),
        currency=invoice.currency,
        subtotal=-invoice.subtotal,
        tax_total=-invoice.tax_total,
        total=-invoice.total,
        generated_via=invoice.generated_via,
    )
    for line in invoice.lines.all():
        credit.lines.create(
            position=line.position,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            period_start=line.period_start,
            period_end=line.period_end,
            proration=line.proration,
            amount=-line.amount,
            tax_rate=line.tax_rate,
            tax_amount=-line.tax_amount,
        )
    return credit


def xml_tree(xml: bytes):
    return etree.fromstring(xml)


def amount(tree, path: str) -> Decimal:
    return Decimal(tree.findtext(path, namespaces=NS))
