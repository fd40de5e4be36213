"""Reads behind the contract pages, named in business terms. Each runs a fixed number of
queries whatever the size of the book or of the page. What the pages show of schedules and
invoices is read by those apps' selectors: the contract views compose them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet

from billing_site.lookups import distinct_values
from contracts.models import BillingContract, ContractChange, ContractLine, Customer

CONTRACTS_PER_PAGE = 25
# Sortable columns and their ORDER BY; the unique number last keeps pages stable.
CONTRACT_SORTS = {
    "number": ("number",),
    "customer": ("customer__name", "number"),
    "status": ("status", "number"),
    "frequency": ("billing_frequency", "number"),
    "next_invoice_date": ("next_invoice_date", "number"),
    "start_date": ("start_date", "number"),
}


def contract_currencies_in_use() -> list[str]:
    """The currencies the book's contracts are in, for the list's filter (one query on the
    currency index, whatever the size of the book)."""
    return distinct_values(BillingContract, "currency")


@dataclass(frozen=True)
class ContractFilters:
    search: str = ""
    status: str = ""
    frequency: str = ""
    timing: str = ""
    currency: str = ""
    next_from: date | None = None
    next_to: date | None = None
    sort: str = "number"


def contracts_matching(filters: ContractFilters) -> QuerySet[BillingContract]:
    """Contracts matching the list's search and filters, in its sort order."""
    contracts = BillingContract.objects.select_related("customer")
    if filters.search:
        # The customers in a subquery rather than through the join: PostgreSQL then scans
        # each table once instead of testing both names on every joined row (3x faster).
        customers = Customer.objects.filter(name__icontains=filters.search).values("pk")
        contracts = contracts.filter(
            Q(number__icontains=filters.search) | Q(customer__in=customers)
        )
    exact = {
        "status": filters.status,
        "billing_frequency": filters.frequency,
        "billing_timing": filters.timing,
        "currency": filters.currency,
        "next_invoice_date__gte": filters.next_from,
        "next_invoice_date__lte": filters.next_to,
    }
    contracts = contracts.filter(**{lookup: value for lookup, value in exact.items() if value})
    return contracts.order_by(*_ordering(filters.sort))


def selected_contract_ids(filters: ContractFilters) -> list[int]:
    """Ids of every contract the filters match: the bulk window's "all matching" selection."""
    return list(contracts_matching(filters).order_by("id").values_list("id", flat=True))


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    fields = CONTRACT_SORTS.get(sort.removeprefix("-"), CONTRACT_SORTS["number"])
    return [F(field).desc(nulls_last=True) if descending else F(field).asc() for field in fields]


class CountingWhenNeededPaginator(Paginator):
    """A paginator that counts only when it must: a first page with room to spare is the
    whole list, so a search that finds a few rows costs one query instead of two."""

    def get_page(self, number):
        if str(number or 1) != "1" or "count" in self.__dict__:
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # what the cached `count` would have found
        return self._get_page(rows[: self.per_page], 1, self)


def contract_list_page(*, filters: ContractFilters, page_number) -> Page:
    """One page of the contract list. Counted only when there is more than one page."""
    return CountingWhenNeededPaginator(contracts_matching(filters), CONTRACTS_PER_PAGE).get_page(
        page_number
    )


def contract_lines(*, contract: BillingContract) -> list[ContractLine]:
    """The contract's lines in their order on the invoice."""
    return list(contract.lines.all())


def contract_change_log(*, contract: BillingContract) -> list[ContractChange]:
    """The contract's quantity changes, newest effective date first."""
    return list(
        ContractChange.objects.filter(line__contract=contract)
        .select_related("line", "changed_by", "billed_invoice")
        .order_by("-effective_date", "-id")
    )


CUSTOMERS_PER_PAGE = 25
HISTORY_SHOWN = 20


@dataclass(frozen=True)
class CustomerFilters:
    search: str = ""  # part of the legal name, billing email or VAT ID
    country: str = ""
    language: str = ""


def customers_matching(filters: CustomerFilters) -> QuerySet[Customer]:
    """Customers matching the list's search and filters, by name, each with its number of
    contracts and of active ones."""
    customers = Customer.objects.annotate(
        contract_count=Count("contracts"),
        active_contract_count=Count(
            "contracts", filter=Q(contracts__status=BillingContract.Status.ACTIVE)
        ),
    )
    if filters.search:
        customers = customers.filter(
            Q(name__icontains=filters.search)
            | Q(billing_email__icontains=filters.search)
            | Q(vat_id__icontains=filters.search.replace(" ", ""))
        )
    exact = {"country": filters.country, "language": filters.language}
    customers = customers.filter(**{field: value for field, value in exact.items() if value})
    return customers.order_by("name", "id")


def customer_list_page(*, filters: CustomerFilters, page_number: str | None) -> Page:
    return Paginator(customers_matching(filters), CUSTOMERS_PER_PAGE).get_page(page_number)


def customer_contracts(*, customer: Customer) -> list[BillingContract]:
    """The customer's contracts, active first, then by number."""
    return list(customer.contracts.order_by(F("status").asc(), "number"))


def customer_history(*, customer: Customer) -> list[LogEntry]:
    """Who created and changed the customer, in admin or the web UI, newest first."""
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk)
        )
        .select_related("user")
        .order_by("-action_time")[:HISTORY_SHOWN]
    )
