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

from babel.dates import format_skeleton
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing_site.locales import document_language, document_locale
from contracts.models import BillingSettings
from invoicing.models import Invoice, InvoiceLine
from invoicing.money_format import format_money, format_price, format_quantity

TEMPLATE = "invoicing/pdf/invoice.html"
# WeasyPrint logs every rendering step at INFO: seven lines per invoice in the worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
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
    """The invoice as a PDF document."""
    # Imported here: WeasyPrint (and its Pango bindings) is heavy and only workers and
    # download views need it, not every process that loads the models.
    from weasyprint import HTML

    with document_language(invoice.contract.customer.language):
        html = render_to_string(TEMPLATE, invoice_document_context(invoice=invoice))
    # No base_url and no external resources: the CSS is inlined by the template.
    return HTML(string=html).write_pdf()


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"


def invoice_document_context(*, invoice: Invoice) -> dict[str, Any]:
    """Everything the template shows, already formatted: the template only lays it out.
    Its words are in the active language: render it under `document_language`."""
    contract = invoice.contract
    money = Money(invoice.currency, document_locale(contract.customer.language))
    lines = list(invoice.lines.all())
    return {
        "invoice": invoice,
        "title": _("Credit note") if invoice.total < 0 else _("Invoice"),
        "seller": BillingSettings.load(),
        "bank_details": settings.BILLING_BANK_DETAILS,
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
        "status_note": _status_note(invoice),
    }


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
