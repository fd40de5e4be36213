"""An invoice or credit note as Factur-X XML: UN/CEFACT CII, profile EN 16931, built with
drafthorse and checked against the official schema by drafthorse's serializer.

The figures are the database's: lines, tax per category and rate, and totals, each in the
currency's minor unit (2 decimals for EUR, none for JPY). A credit note is type 381 with its
amounts positive (the database keeps them negative) and the credited invoice referenced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext
from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration, TradeParty
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem

from contracts.models import BillingSettings
from invoicing import tax_categories
from invoicing.errors import SELLER_COUNTRY_MISSING, DocumentError
from invoicing.models import Invoice, InvoiceLine
from invoicing.money import quantum
from invoicing.post_invoicing.parties import Parties, Party, document_parties

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
SCHEMA_EN16931 = "FACTUR-X_EN16931"
INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"
VAT = "VAT"
# UNTDID 4461: SEPA credit transfer.
SEPA_CREDIT_TRANSFER = "58"
# UN/ECE Recommendation 20: "one", a unit of service.
UNIT_ONE = "C62"
# UNTDID 4451: a note of general information.
NOTE_GENERAL = "AAI"
REVERSE_CHARGE_MENTION = (
    "Reverse charge: VAT to be accounted for by the recipient "
    "(Article 196, Council Directive 2006/112/EC)"
)
XML_CONTENT_TYPE = "application/xml"


def is_credit_document(invoice: Invoice) -> bool:
    """A credit note, or a legacy change-log invoice whose total is negative (shown as one)."""
    return invoice.is_credit_note or invoice.total < 0


def invoice_xml_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.xml"


@dataclass(frozen=True)
class Figures:
    """Turns the database's amounts into the document's: signed for a 381, in minor units."""

    currency: str
    sign: int

    def __call__(self, amount: Decimal) -> Decimal:
        return (amount * self.sign).quantize(quantum(self.currency))


def invoice_facturx_xml(*, invoice: Invoice) -> bytes:
    """The EN 16931 CII XML of the invoice or credit note, validated against its schema.
    Raises DocumentError while the seller's country (required by EN 16931) is unknown."""
    parties = document_parties(invoice)
    if not parties.seller.country:
        raise DocumentError(SELLER_COUNTRY_MISSING)
    lines = list(invoice.lines.all())
    credit = is_credit_document(invoice)
    figures = Figures(invoice.currency, -1 if credit else 1)
    doc = Document()
    doc.context.guideline_parameter.id = GUIDELINE_EN16931
    doc.header.id = invoice.number
    doc.header.type_code = CREDIT_NOTE_TYPE if credit else INVOICE_TYPE
    doc.header.issue_date_time = invoice.invoice_date
    for text in _notes(invoice, lines, parties):
        note = IncludedNote(subject_code=NOTE_GENERAL)
        note.content = text
        doc.header.notes.add(note)
    for position, line in enumerate(lines, start=1):
        doc.trade.items.add(_line_item(position, line, figures, parties))
    _fill_party(doc.trade.agreement.seller, parties.seller)
    # EN 16931 requires the buyer's country: one given neither a country nor a VAT ID is
    # taken to be in the seller's.
    _fill_party(
        doc.trade.agreement.buyer,
        replace(parties.customer, country=parties.customer.country or parties.seller.country),
    )
    doc.trade.agreement.buyer_reference = invoice.contract.number
    doc.trade.delivery.event.occurrence = invoice.period_start
    _fill_settlement(doc, invoice, lines, figures, parties, credit=credit)
    return doc.serialize(schema=SCHEMA_EN16931)


def _notes(invoice: Invoice, lines: list[InvoiceLine], parties: Parties) -> list[str]:
    notes = []
    if invoice.credit_reason:
        notes.append(invoice.credit_reason)
    rates = (line.tax_rate for line in lines)
    if tax_categories.is_reverse_charge(rates, cross_border_eu_b2b=parties.cross_border_eu_b2b):
        notes.append(gettext(REVERSE_CHARGE_MENTION))
    if parties.seller.registration:
        notes.append(parties.seller.registration)
    return notes


def _line_item(position: int, line: InvoiceLine, figures: Figures, parties: Parties) -> LineItem:
    item = LineItem()
    item.document.line_id = str(position)
    item.product.name = line.description
    total = figures(line.amount)
    # The price is never negative (BR-27): a credited line carries the sign on its quantity.
    quantity = abs(line.quantity) if total >= 0 else -abs(line.quantity)
    item.agreement.net.amount = abs(line.unit_price)
    item.delivery.billed_quantity = (quantity, UNIT_ONE)
    item.settlement.trade_tax.type_code = VAT
    item.settlement.trade_tax.category_code = tax_categories.line_category(
        line.tax_rate, cross_border_eu_b2b=parties.cross_border_eu_b2b
    )
    item.settlement.trade_tax.rate_applicable_percent = line.tax_rate
    item.settlement.period.start = line.period_start
    item.settlement.period.end = line.period_end
    item.settlement.monetary_summation.total_amount = total
    return item


def _fill_party(target: TradeParty, party: Party) -> None:
    target.name = party.name
    if party.registration:
        target.legal_organization.id = ("", party.registration)
    for attribute, value in zip(
        ("line_one", "line_two", "line_three"), party.address_lines, strict=False
    ):
        setattr(target.address, attribute, value)
    if party.postcode:
        target.address.postcode = party.postcode
    if party.city:
        target.address.city_name = party.city
    target.address.country_id = party.country
    if party.email:
        target.electronic_address.uri_ID = ("EM", party.email)
    if party.vat_id:
        target.tax_registrations.add(TaxRegistration(id=("VA", party.vat_id)))


def _fill_settlement(
    doc: Document,
    invoice: Invoice,
    lines: list[InvoiceLine],
    figures: Figures,
    parties: Parties,
    *,
    credit: bool,
) -> None:
    settlement = doc.trade.settlement
    settlement.currency_code = invoice.currency
    settlement.payment_reference = invoice.number
    credited = invoice.credits
    if credited is not None:
        settlement.invoice_referenced_document.issuer_assigned_id = credited.number
        settlement.invoice_referenced_document.issue_date_time = credited.invoice_date
    if not credit:
        _fill_payment(doc, invoice)
    for breakdown in _tax_breakdown(lines, figures, parties):
        settlement.trade_tax.add(breakdown)
    settlement.period.start = invoice.period_start
    settlement.period.end = invoice.period_end
    summation = settlement.monetary_summation
    summation.line_total = figures(invoice.subtotal)
    summation.charge_total = figures(Decimal(0))
    summation.allowance_total = figures(Decimal(0))
    summation.tax_basis_total = figures(invoice.subtotal)
    summation.tax_total = (figures(invoice.tax_total), invoice.currency)
    summation.grand_total = figures(invoice.total)
    summation.due_amount = figures(invoice.total)


def _fill_payment(doc: Document, invoice: Invoice) -> None:
    """What an invoice asks to be paid: by when and, when the seller gave one, to which account."""
    settlement = doc.trade.settlement
    seller = BillingSettings.load()
    if seller.seller_iban:
        means = PaymentMeans()
        means.type_code = SEPA_CREDIT_TRANSFER
        means.payee_account.iban = seller.seller_iban
        if seller.seller_bic:
            means.payee_institution.bic = seller.seller_bic
        settlement.payment_means.add(means)
    terms = PaymentTerms()
    terms.due = invoice.due_date
    settlement.terms.add(terms)


def _tax_breakdown(
    lines: list[InvoiceLine], figures: Figures, parties: Parties
) -> list[ApplicableTradeTax]:
    """One entry per (category, rate): the lines' amounts and tax summed as the database has them."""
    sums: dict[tuple[str, Decimal], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        category = tax_categories.line_category(
            line.tax_rate, cross_border_eu_b2b=parties.cross_border_eu_b2b
        )
        sums[category, line.tax_rate][0] += line.amount
        sums[category, line.tax_rate][1] += line.tax_amount
    breakdown = []
    for (category, rate), (basis, tax) in sorted(sums.items()):
        entry = ApplicableTradeTax()
        entry.calculated_amount = figures(tax)
        entry.type_code = VAT
        entry.basis_amount = figures(basis)
        entry.category_code = category
        if category == tax_categories.REVERSE_CHARGE:
            entry.exemption_reason = gettext(REVERSE_CHARGE_MENTION)
            entry.exemption_reason_code = tax_categories.REVERSE_CHARGE_EXEMPTION_CODE
        entry.rate_applicable_percent = rate
        breakdown.append(entry)
    return breakdown
