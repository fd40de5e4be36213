"""The invoice document: a Django template rendered to PDF by WeasyPrint.

Deterministic: the same invoice gives the same bytes (no clock, no random ids), so the
PDF emailed, downloaded and attached again are one document.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from billing_site.locales import document_locale
from contracts.models import BillingSettings
from invoicing.models import Invoice, InvoiceLine
from invoicing.money_format import format_money, format_price, format_quantity

TEMPLATE = "invoicing/pdf/invoice.html"
# WeasyPrint logs every rendering step at INFO: seven lines per invoice in the worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
PDF_CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True)
class Money:
    """The amounts (and quantities) of one invoice, in its currency and its customer's locale."""

    currency: str
    locale: str

    def __call__(self, amount: Decimal) -> str:
        return format_money(amount, self.currency, self.locale)

    def price(self, unit_price: Decimal) -> str:
        return format_price(unit_price, self.currency, self.locale)

    def number(self, value: Decimal) -> str:
        """A quantity or a rate, in the same locale as the amounts beside it."""
        return format_quantity(value, self.locale)


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
    """The invoice as a PDF document."""
    # Imported here: WeasyPrint (and its Pango bindings) is heavy and only workers and
    # download views need it, not every process that loads the models.
    from weasyprint import HTML

    html = render_to_string(TEMPLATE, invoice_document_context(invoice=invoice))
    # No base_url and no external resources: the CSS is inlined by the template.
    return HTML(string=html).write_pdf()


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"


def invoice_document_context(*, invoice: Invoice) -> dict[str, Any]:
    """Everything the template shows, already formatted: the template only lays it out."""
    contract = invoice.contract
    money = Money(invoice.currency, document_locale(contract.customer.language))
    lines = list(invoice.lines.all())
    return {
        "invoice": invoice,
        "title": "Credit note" if invoice.total < 0 else "Invoice",
        "seller": BillingSettings.load(),
        "bank_details": settings.BILLING_BANK_DETAILS,
        "contract": contract,
        "customer": contract.customer,
        "period": _period(invoice.period_start, invoice.period_end),
        "invoice_date": _day(invoice.invoice_date),
        "due_date": _day(invoice.due_date),
        "paid_on": _day(timezone.localtime(invoice.paid_at)) if invoice.paid_at else "",
        "lines": [_document_line(line, money) for line in lines],
        "tax_summary": _tax_summary(lines, money),
        "subtotal": money(invoice.subtotal),
        "tax_total": money(invoice.tax_total),
        "total": money(invoice.total),
        # A credit note's total is negative; the sentence saying it is credited is not.
        "credited": money(-invoice.total),
        "status_note": _status_note(invoice),
    }


def _document_line(line: InvoiceLine, money: Money) -> DocumentLine:
    return DocumentLine(
        description=line.description,
        period=_period(line.period_start, line.period_end),
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
    return f"{days} of {round(days / line.proration)} days"


def _status_note(invoice: Invoice) -> str:
    if invoice.status == Invoice.Status.REPLACED:
        replacement = getattr(invoice, "replaced_by", None)
        return f"Replaced by {replacement.number}" if replacement else "Replaced"
    if invoice.status == Invoice.Status.VOID:
        return "Void"
    return ""


def _day(value: date) -> str:
    return date_format(value, "j M Y")


def _period(start: date, end: date) -> str:
    return f"{_day(start)} – {_day(end)}"
