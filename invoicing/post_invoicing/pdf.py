"""The invoice and credit note document: a Django template rendered by WeasyPrint as
PDF/A-3b, with its Factur-X XML (EN 16931) embedded by the factur-x library.

The same invoice gives the same document (text, layout and XML): only the PDF's own
metadata carries the time the file was made (factur-x stamps it), so the PDF emailed,
downloaded and attached again say the same thing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_skeleton
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from billing_site.locales import document_language, document_locale
from contracts.models import BillingSettings
from invoicing import tax_categories
from invoicing.errors import DocumentError
from invoicing.models import Invoice, InvoiceLine
from invoicing.money_format import format_money, format_price, format_quantity
from invoicing.post_invoicing.facturx_xml import invoice_facturx_xml, is_credit_document
from invoicing.post_invoicing.parties import document_parties

TEMPLATE = "invoicing/pdf/invoice.html"
logger = logging.getLogger(__name__)
# WeasyPrint logs every rendering step at INFO: seven lines per invoice in the worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
# factur-x logs two INFO lines per PDF ("file added", "generated in"): the same noise.
logging.getLogger("factur-x").setLevel(logging.WARNING)
PDF_CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True)
class Money:
    """The amounts, quantities and dates of one invoice, in its currency and its customer's
    locale."""

    currency: str
    locale: str

    def __call__(self, amount: Decimal) -> str:
        return format_money(amount, self.currency, self.locale)

    def price(self, unit_price: Decimal) -> str:
        return format_price(unit_price, self.currency, self.locale)

    def number(self, value: Decimal) -> str:
        """A quantity or a rate, in the same locale as the amounts beside it."""
        return format_quantity(value, self.locale)

    def day(self, value: date) -> str:
        """A date as the locale writes it short: "2 Jan 2026", "3 mars 2026", "3. März 2026"."""
        return format_skeleton("yMMMd", value, locale=self.locale)

    def period(self, start: date, end: date) -> str:
        return f"{self.day(start)} – {self.day(end)}"


@dataclass(frozen=True)
class DocumentLine:
    description: str
    period: str
    proration: str
    quantity: str
    unit_price: str
    tax_rate: str
    amount: str


def invoice_pdf_render(*, invoice: Invoice) -> bytes:
    """The invoice or credit note as a Factur-X PDF: PDF/A-3b with its CII XML embedded."""
    # Imported here: WeasyPrint (and its Pango bindings) and factur-x are heavy and only
    # workers and download views need them, not every process that loads the models.
    from facturx import generate_from_binary
    from weasyprint import HTML

    with document_language(invoice.contract.customer.language):
        context = invoice_document_context(invoice=invoice)
        html = render_to_string(TEMPLATE, context)
    # No base_url and no external resources: the CSS is inlined by the template.
    pdf = HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")
    try:
        xml = invoice_facturx_xml(invoice=invoice)
    except DocumentError as error:
        # The customer still gets the document; the XML waits for the seller's identity.
        logger.warning("%s: PDF without Factur-X XML. %s", invoice.number, error)
        return pdf
    return generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={
            "author": context["seller"].seller_name,
            "title": f"{context['title']} {invoice.number}",
            "subject": f"{context['title']} {invoice.number}",
            "keywords": "Factur-X",
        },
    )


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"


def invoice_document_context(*, invoice: Invoice) -> dict[str, Any]:
    """Everything the template shows, already formatted: the template only lays it out.
    Its words are in the active language: render it under `document_language`."""
    contract = invoice.contract
    money = Money(invoice.currency, document_locale(contract.customer.language))
    lines = list(invoice.lines.all())
    parties = document_parties(invoice)
    credit = is_credit_document(invoice)
    return {
        "invoice": invoice,
        # Legacy change-log invoices with a negative total read as credit notes too.
        "title": gettext("Credit note") if credit else gettext("Invoice"),
        "credit": credit,
        "seller": BillingSettings.load(),
        "parties": parties,
        "reverse_charge": tax_categories.is_reverse_charge(
            (line.tax_rate for line in lines), cross_border_eu_b2b=parties.cross_border_eu_b2b
        ),
        "credited_invoice": _credited_invoice(invoice, money),
        "credit_notes": _credit_notes(invoice, money),
        "contract": contract,
        "customer": contract.customer,
        "period": money.period(invoice.period_start, invoice.period_end),
        "invoice_date": money.day(invoice.invoice_date),
        "due_date": money.day(invoice.due_date),
        "paid_on": money.day(timezone.localdate(invoice.paid_at)) if invoice.paid_at else "",
        "lines": [_document_line(line, money) for line in lines],
        "tax_summary": _tax_summary(lines, money),
        "subtotal": money(invoice.subtotal),
        "tax_total": money(invoice.tax_total),
        "total": money(invoice.total),
        # A credit note's total is negative; the sentence saying it is credited is not.
        "credited": money(-invoice.total),
        # What is left to pay once its credit notes are counted (all of it without any),
        # and, once paid, what they owe back to the customer.
        "amount_due": money(invoice.uncredited),
        "owed_back": money(invoice.credited_total),
        "status_note": _status_note(invoice),
    }


def _credited_invoice(invoice: Invoice, money: Money) -> dict[str, str] | None:
    """The invoice a credit note credits: its number and date."""
    credited = invoice.credits
    if credited is None:
        return None
    return {"number": credited.number, "date": money.day(credited.invoice_date)}


def _credit_notes(invoice: Invoice, money: Money) -> list[dict[str, str]]:
    """The credit notes issued against an invoice so far, in number order, with what each
    took back (negative)."""
    return [
        {"number": note.number, "date": money.day(note.invoice_date), "total": money(note.total)}
        for note in invoice.credit_notes.order_by("number")
    ]


def _document_line(line: InvoiceLine, money: Money) -> DocumentLine:
    return DocumentLine(
        description=line.description,
        period=money.period(line.period_start, line.period_end),
        proration=_proration(line),
        quantity=money.number(line.quantity),
        unit_price=money.price(line.unit_price),
        tax_rate=f"{money.number(line.tax_rate)} %",
        amount=money(line.amount),
    )


def _tax_summary(lines: Sequence[InvoiceLine], money: Money) -> list[tuple[str, str, str]]:
    """(rate, taxable amount, tax) per tax rate, lowest rate first."""
    bases: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        bases[line.tax_rate][0] += line.amount
        bases[line.tax_rate][1] += line.tax_amount
    return [
        (f"{money.number(rate)} %", money(base), money(tax))
        for rate, (base, tax) in sorted(bases.items())
    ]


def _proration(line: InvoiceLine) -> str:
    """'22 of 31 days' for a prorated line, '' for a full one."""
    if line.proration in (0, 1):
        return ""
    days = (line.period_end - line.period_start).days + 1
    cycle_days = round(days / line.proration)
    return ngettext(
        "%(days)d of %(cycle_days)d day", "%(days)d of %(cycle_days)d days", cycle_days
    ) % {"days": days, "cycle_days": cycle_days}


def _status_note(invoice: Invoice) -> str:
    if invoice.status == Invoice.Status.REPLACED:
        replacement = getattr(invoice, "replaced_by", None)
        if replacement:
            return _("Replaced by %(number)s") % {"number": replacement.number}
        return _("Replaced")
    if invoice.status == Invoice.Status.VOID:
        return _("Void")
    return ""
