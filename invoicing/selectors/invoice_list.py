"""Reads behind the invoice list: invoices filtered as finance asks for them, their totals
per currency, and one page of them. A fixed number of queries whatever the size of the
book: one GROUP BY for the totals (whose counts are the page's count too) and the page.

Totals are exact. Filtered on state and dates only, they are summed from the totals
PostgreSQL keeps per day, currency and state (invoicing/totals/models.py): a few thousand
rows instead of every invoice (a million invoices: 290 ms aggregated, a few ms kept).
Searched or narrowed to customers, the set is small enough to aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from billing_site.lookups import distinct_values
from contracts.models import Customer
from invoicing.models import Invoice, InvoiceTotal

INVOICES_PER_PAGE = 50
# The payment states the list filters on; "overdue" is unpaid and past its due date. An
# invoice its credit notes took back in full is owed nothing: neither unpaid nor overdue.
PAYMENT_STATES = {"paid": _("Paid"), "unpaid": _("Unpaid"), "overdue": _("Overdue")}


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
    document: str = ""  # invoices or credit notes only
    currency: str = ""
    payment: str = ""  # a key of PAYMENT_STATES
    issued_from: date | None = None
    issued_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None


def invoices_matching(filters: InvoiceFilters, *, today: date) -> QuerySet[Invoice]:
    """The invoices the filters match, newest first; `today` (the billing time zone's)
    decides which unpaid invoices are overdue."""
    invoices = Invoice.objects.select_related("contract__customer", "credits")
    if filters.search:
        invoices = invoices.filter(
            Q(number__icontains=filters.search) | Q(contract__number__icontains=filters.search)
        )
    if filters.customer:
        customers = Customer.objects.filter(name__icontains=filters.customer).values("pk")
        invoices = invoices.filter(contract__customer__in=customers)
    if filters.customer_id:
        invoices = invoices.filter(contract__customer_id=filters.customer_id)
    invoices = invoices.filter(
        _state_filter(filters, today, paid=_invoice_paid, fully_credited=_invoice_fully_credited)
    )
    return invoices.order_by("-invoice_date", "-number")


def _state_filter(filters: InvoiceFilters, today: date, *, paid, fully_credited: Q) -> Q:
    """Status, kind, currency, dates and payment, on invoices or on their kept totals alike
    (`paid(True)` is the paid condition of the model filtered, `fully_credited` its
    condition for invoices credit notes took back in full)."""
    exact = {
        "status": filters.status,
        "kind": filters.kind,
        "document": filters.document,
        "currency": filters.currency,
        "invoice_date__gte": filters.issued_from,
        "invoice_date__lte": filters.issued_to,
        "due_date__gte": filters.due_from,
        "due_date__lte": filters.due_to,
    }
    condition = Q(**{lookup: value for lookup, value in exact.items() if value})
    if filters.payment == "paid":
        condition &= paid(True)
    elif filters.payment in ("unpaid", "overdue"):
        condition &= Q(status=Invoice.Status.ISSUED, document=Invoice.Document.INVOICE)
        condition &= paid(False) & ~fully_credited
        if filters.payment == "overdue":
            condition &= Q(due_date__lt=today)
    return condition


def _invoice_paid(flag: bool) -> Q:
    return Q(paid_at__isnull=not flag)


def _total_paid(flag: bool) -> Q:
    return Q(paid=flag)


_invoice_fully_credited = Q(credited_total__gt=0, credited_total=F("total"))
_total_fully_credited = Q(fully_credited=True)
# What is still owed: the total less what credit notes took back.
_OPEN = F("total") - F("credited_total")


@dataclass(frozen=True)
class CurrencyTotal:
    """What the filtered invoices add up to in one currency."""

    currency: str
    invoices: int
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    unpaid: Decimal  # what is still owed on the live invoices not yet paid (less credits)


def invoice_totals(invoices: QuerySet[Invoice]) -> list[CurrencyTotal]:
    """The filtered invoices' totals per currency, in currency order (one query)."""
    unpaid = Q(
        status=Invoice.Status.ISSUED, document=Invoice.Document.INVOICE, paid_at__isnull=True
    )
    rows = (
        invoices.order_by()
        .values("currency")
        .annotate(
            count=Count("id"),
            subtotal_sum=Sum("subtotal"),
            tax_sum=Sum("tax_total"),
            total_sum=Sum("total"),
            unpaid_sum=Sum(_OPEN, filter=unpaid, default=Decimal(0)),
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


def invoice_list_totals(filters: InvoiceFilters, *, today: date) -> list[CurrencyTotal]:
    """The totals per currency of the invoices the filters match (one query)."""
    if filters.search or filters.customer or filters.customer_id:
        return invoice_totals(invoices_matching(filters, today=today))
    unpaid = Q(status=Invoice.Status.ISSUED, document=Invoice.Document.INVOICE, paid=False)
    rows = (
        InvoiceTotal.objects.filter(
            _state_filter(filters, today, paid=_total_paid, fully_credited=_total_fully_credited)
        )
        .values("currency")
        .annotate(
            count=Sum("invoices"),
            subtotal_sum=Sum("subtotal"),
            tax_sum=Sum("tax_total"),
            total_sum=Sum("total"),
            unpaid_sum=Sum(_OPEN, filter=unpaid, default=Decimal(0)),
        )
        .exclude(count=0)
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


class _CountedPaginator(Paginator):
    """A paginator told its count (the totals' sum of invoices) instead of counting again."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def invoice_list_page(
    invoices: QuerySet[Invoice], page_number: str | None, *, count: int | None = None
) -> Page:
    """One page of the filtered invoices; `count`, when known, saves counting them."""
    if count is None:
        return Paginator(invoices, INVOICES_PER_PAGE).get_page(page_number)
    return _CountedPaginator(invoices, INVOICES_PER_PAGE, count=count).get_page(page_number)
