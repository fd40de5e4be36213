"""The Factur-X XML: valid against the official EN 16931 schema (factur-x's own check, no
network), and its lines, tax breakdown and totals equal the database's to the cent."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from facturx import xml_check_xsd

from invoicing.models import Invoice
from invoicing.post_invoicing.facturx_xml import REVERSE_CHARGE_MENTION, invoice_facturx_xml
from tests.post_invoicing.documents import (
    CUSTOMER_VAT_ID,
    NS,
    SELLER_BIC,
    SELLER_IBAN,
    SELLER_VAT_ID,
    amount,
    credit_note_of,
    invoice_with_reverse_charge_line,
    jpy_invoice,
    seller_identity_set,
    xml_tree,
)

pytestmark = pytest.mark.django_db

SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
LINES = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
TOTALS = (
    "LineTotalAmount",
    "TaxBasisTotalAmount",
    "TaxTotalAmount",
    "GrandTotalAmount",
    "DuePayableAmount",
)


@pytest.fixture(autouse=True)
def seller():
    return seller_identity_set()


def _samples():
    eur = invoice_with_reverse_charge_line()
    return {"eur": eur, "jpy": jpy_invoice(), "credit note": credit_note_of(eur)}


def test_every_sample_is_valid_against_the_en16931_schema():
    for name, invoice in _samples().items():
        assert xml_check_xsd(invoice_facturx_xml(invoice=invoice), "factur-x", "en16931"), name


def _figure(node, path: str) -> Decimal:
    return Decimal(node.findtext(path, namespaces=NS))


def _xml_figures(tree) -> dict:
    """What the XML says: tax per (category, rate), the lines, the totals."""
    taxes = {
        (
            entry.findtext("ram:CategoryCode", namespaces=NS),
            _figure(entry, "ram:RateApplicablePercent"),
        ): (
            _figure(entry, "ram:BasisAmount"),
            _figure(entry, "ram:CalculatedAmount"),
        )
        for entry in tree.findall(f"{SETTLEMENT}/ram:ApplicableTradeTax", namespaces=NS)
    }
    lines = [
        (
            line.findtext(".//ram:SpecifiedTradeProduct/ram:Name", namespaces=NS),
            _figure(line, ".//ram:BilledQuantity"),
            _figure(line, ".//ram:NetPriceProductTradePrice/ram:ChargeAmount"),
            _figure(line, ".//ram:ApplicableTradeTax/ram:RateApplicablePercent"),
            _figure(
                line, ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
            ),
        )
        for line in tree.findall(LINES, namespaces=NS)
    ]
    totals = {name: _figure(tree, f"{SUMMATION}/ram:{name}") for name in TOTALS}
    return {"taxes": taxes, "lines": lines, "totals": totals}


def _db_figures(invoice: Invoice, categories: dict) -> dict:
    """The database's figures, positive on a credit note as a 381 files them."""
    sign = -1 if invoice.is_credit_note else 1
    taxes: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])
    lines = []
    for line in invoice.lines.all():
        taxes[categories[line.tax_rate], line.tax_rate][0] += sign * line.amount
        taxes[categories[line.tax_rate], line.tax_rate][1] += sign * line.tax_amount
        lines.append(
            (line.description, line.quantity, line.unit_price, line.tax_rate, sign * line.amount)
        )
    totals = {
        "LineTotalAmount": sign * invoice.subtotal,
        "TaxBasisTotalAmount": sign * invoice.subtotal,
        "TaxTotalAmount": sign * invoice.tax_total,
        "GrandTotalAmount": sign * invoice.total,
        "DuePayableAmount": sign * invoice.total,
    }
    return {
        "taxes": {key: tuple(value) for key, value in taxes.items()},
        "lines": lines,
        "totals": totals,
    }


@pytest.mark.parametrize("sample", ["eur", "jpy", "credit note"])
def test_lines_tax_breakdown_and_totals_equal_the_database_to_the_cent(sample):
    invoice = _samples()[sample]
    categories = {Decimal("20.00"): "S", Decimal("0.00"): "AE"}

    tree = xml_tree(invoice_facturx_xml(invoice=invoice))

    assert _xml_figures(tree) == _db_figures(invoice, categories)


def test_an_invoice_is_380_with_both_vat_ids_its_due_date_and_the_sellers_iban():
    invoice = invoice_with_reverse_charge_line()

    tree = xml_tree(invoice_facturx_xml(invoice=invoice))

    assert tree.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "380"
    vat_ids = [
        node.text
        for node in tree.findall(f"{AGREEMENT}//ram:SpecifiedTaxRegistration/ram:ID", namespaces=NS)
    ]
    assert vat_ids == [SELLER_VAT_ID, CUSTOMER_VAT_ID]
    due = tree.findtext(
        f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms//udt:DateTimeString", namespaces=NS
    )
    assert due == invoice.due_date.strftime("%Y%m%d")
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert tree.findtext(f"{means}/ram:TypeCode", namespaces=NS) == "58"
    assert tree.findtext(f"{means}//ram:IBANID", namespaces=NS) == SELLER_IBAN
    assert tree.findtext(f"{means}//ram:BICID", namespaces=NS) == SELLER_BIC


def test_a_reverse_charged_line_is_filed_as_ae_with_its_exemption_and_the_mention():
    tree = xml_tree(invoice_facturx_xml(invoice=invoice_with_reverse_charge_line()))

    categories = [
        node.text
        for node in tree.findall(f"{LINES}//ram:ApplicableTradeTax/ram:CategoryCode", namespaces=NS)
    ]
    assert categories == ["S", "AE"]
    reverse = tree.find(
        f"{SETTLEMENT}/ram:ApplicableTradeTax[ram:CategoryCode='AE']", namespaces=NS
    )
    assert reverse.findtext("ram:ExemptionReasonCode", namespaces=NS) == "VATEX-EU-AE"
    assert reverse.findtext("ram:CalculatedAmount", namespaces=NS) == "0.00"
    notes = [node.text for node in tree.findall(".//ram:IncludedNote/ram:Content", namespaces=NS)]
    assert REVERSE_CHARGE_MENTION in notes


def test_a_customer_in_the_sellers_own_country_pays_no_reverse_charge():
    invoice = invoice_with_reverse_charge_line()
    invoice.contract.customer.country = "FR"
    invoice.contract.customer.vat_id = SELLER_VAT_ID
    invoice.contract.customer.save()

    tree = xml_tree(invoice_facturx_xml(invoice=Invoice.objects.get(pk=invoice.pk)))

    categories = {node.text for node in tree.findall(".//ram:CategoryCode", namespaces=NS)}
    assert categories == {"S", "Z"}
    assert REVERSE_CHARGE_MENTION.encode() not in invoice_facturx_xml(invoice=invoice)


def test_a_credit_note_is_381_referencing_its_invoice_without_payment_terms():
    invoice = invoice_with_reverse_charge_line()
    credit = credit_note_of(invoice, reason="Seats never used")

    tree = xml_tree(invoice_facturx_xml(invoice=credit))

    assert tree.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    reference = f"{SETTLEMENT}/ram:InvoiceReferencedDocument"
    assert tree.findtext(f"{reference}/ram:IssuerAssignedID", namespaces=NS) == invoice.number
    assert tree.findtext(f"{reference}//qdt:DateTimeString", namespaces=NS) == "20260102"
    assert tree.find(f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms", namespaces=NS) is None
    assert (
        tree.find(f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans", namespaces=NS) is None
    )
    assert amount(tree, f"{SUMMATION}/ram:GrandTotalAmount") == -credit.total > 0
    notes = [node.text for node in tree.findall(".//ram:IncludedNote/ram:Content", namespaces=NS)]
    assert "Seats never used" in notes


def test_a_legacy_negative_change_log_invoice_is_filed_as_a_credit_note_with_positive_totals():
    invoice = invoice_with_reverse_charge_line()
    Invoice.objects.filter(pk=invoice.pk).update(
        subtotal=-invoice.subtotal, tax_total=-invoice.tax_total, total=-invoice.total
    )
    for line in invoice.lines.all():
        line.amount, line.tax_amount = -line.amount, -line.tax_amount
        line.save()

    xml = invoice_facturx_xml(invoice=Invoice.objects.get(pk=invoice.pk))

    tree = xml_tree(xml)
    assert tree.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    assert amount(tree, f"{SUMMATION}/ram:GrandTotalAmount") == invoice.total
    assert xml_check_xsd(xml, "factur-x", "en16931")
