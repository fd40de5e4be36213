"""Reads behind the invoice list: invoices filtered as finance asks for them, their totals
per currency, and one page of them. A fixed number of queries whatever the size of the
book: the page, its count, and one GROUP BY for the totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum

from billing_site.lookups import distinct_values
from contracts.models import Customer
from invoicing.models import Invoice

INVOICES_PER_PAGE = 50
# The payment states the list filters on; "overdue" is unpaid and past its due date.
PAYMENT_STATES = {"paid": "Paid", "unpaid": "Unpaid", "overdue": "Overdue"}


def invoice_currencies_in_use() -> list[str]:
    """The currencies invoices were issued in, for the list's filter (one query on the
    currency index, whatever the number of invoices)."""
    return distinct_values(Invoice, "currency")


@dataclass(frozen=True)
class InvoiceFilters:
    search: str = ""  # invoice or contract number
    customer: str = ""  # part of the customer's name
    customer_id: int | None = None
    status: str = ""
    kind: str = ""
    currency: str = ""
    payment: str = ""  # a key of PAYMENT_STATES
    issued_from: date | None = None
    issued_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None


def invoices_matching(filters: InvoiceFilters, *, today: date) -> QuerySet[Invoice]:
    """The invoices the filters match, newest first; `today` (the billing time zone's)
    decides which unpaid invoices are overdue."""
    invoices = Invoice.objects.select_related("contract__customer")
    if filters.search:
        invoices = invoices.filter(
            Q(number__icontains=filters.search) | Q(contract__number__icontains=filters.search)
        )
    if filters.customer:
        customers = Customer.objects.filter(name__icontains=filters.customer).values("pk")
        invoices = invoices.filter(contract__customer__in=customers)
    if filters.customer_id:
        invoices = invoices.filter(contract__customer_id=filters.customer_id)
    exact = {
        "status": filters.status,
        "kind": filters.kind,
        "currency": filters.currency,
        "invoice_date__gte": filters.issued_from,
        "invoice_date__lte": filters.issued_to,
        "due_date__gte": filters.due_from,
        "due_date__lte": filters.due_to,
    }
    invoices = invoices.filter(**{lookup: value for lookup, value in exact.items() if value})
    if filters.payment == "paid":
        invoices = invoices.filter(paid_at__isnull=False)
    elif filters.payment in ("unpaid", "overdue"):
        invoices = invoices.live().filter(paid_at__isnull=True)
        if filters.payment == "overdue":
            invoices = invoices.filter(due_date__lt=today)
    return invoices.order_by("-invoice_date", "-number")


@dataclass(frozen=True)
class CurrencyTotal:
    """What the filtered invoices add up to in one currency."""

    currency: str
    invoices: int
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    unpaid: Decimal  # of the live invoices not yet paid


def invoice_totals(invoices: QuerySet[Invoice]) -> list[CurrencyTotal]:
    """The filtered invoices' totals per currency, in currency order (one query)."""
    unpaid = Q(status=Invoice.Status.ISSUED, paid_at__isnull=True)
    rows = (
        invoices.order_by()
        .values("currency")
        .annotate(
            count=Count("id"),
            subtotal_sum=Sum("subtotal"),
            tax_sum=Sum("tax_total"),
            total_sum=Sum("total"),
            unpaid_sum=Sum("total", filter=unpaid, default=Decimal(0)),
        )
        .order_by("currency")
    )
    return [
        CurrencyTotal(
            currency=row["currency"],
            invoices=row["count"],
            subtotal=row["subtotal_sum"],
            tax_total=row["tax_sum"],
            total=row["total_sum"],
            unpaid=row["unpaid_sum"],
        )
        for row in rows
    ]


def invoice_list_page(invoices: QuerySet[Invoice], page_number: str | None) -> Page:
    """One page of the filtered invoices."""
    return Paginator(invoices, INVOICES_PER_PAGE).get_page(page_number)
