"""Reads behind the contract pages, named in business terms. Each runs a fixed number of
queries whatever the size of the book or of the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from contracts.models import BillingContract, ContractChange, ContractLine, Customer
from invoicing.models import AuditEvent, Invoice
from schedules.models import BillingSchedule

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
AUDIT_EVENTS_SHOWN = 50


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
    """One page of the contract list, each contract carrying its last issued invoice."""
    last_invoice = (
        Invoice.objects.live()
        .filter(contract=OuterRef("pk"))
        .order_by("-invoice_date", "-id")
        .values("id")[:1]
    )
    contracts = contracts_matching(filters).annotate(last_invoice_id=Subquery(last_invoice))
    page = CountingWhenNeededPaginator(contracts, CONTRACTS_PER_PAGE).get_page(page_number)
    # One query for the page's invoices rather than one per row.
    invoices = Invoice.objects.in_bulk([c.last_invoice_id for c in page if c.last_invoice_id])
    for contract in page:
        contract.last_invoice = invoices.get(contract.last_invoice_id)
    return page


@dataclass(frozen=True)
class ContractOverview:
    """Everything the contract page shows."""

    contract: BillingContract
    lines: list[ContractLine]
    changes: list[ContractChange]
    schedule_state: str
    schedules: list[BillingSchedule]
    active_schedules: int
    inactive_schedules: int
    invoices: list[Invoice]
    audit_events: list[AuditEvent]


def contract_overview(*, contract: BillingContract, schedule_state: str) -> ContractOverview:
    """Terms, lines, change log, the Active or Inactive schedules, invoices and audit trail."""
    schedules = contract.schedules.select_related("resulting_invoice")
    if schedule_state == "inactive":
        schedules = schedules.inactive().order_by("-cycle_index")
    else:
        schedule_state, schedules = "active", schedules.active().order_by("cycle_index")
    counts = contract.schedules.aggregate(
        active=Count("id", filter=Q(status=BillingSchedule.Status.PENDING)),
        inactive=Count("id", filter=~Q(status=BillingSchedule.Status.PENDING)),
    )
    return ContractOverview(
        contract=contract,
        lines=list(contract.lines.all()),
        changes=list(
            ContractChange.objects.filter(line__contract=contract)
            .select_related("line", "changed_by", "billed_invoice")
            .order_by("-effective_date", "-id")
        ),
        schedule_state=schedule_state,
        schedules=list(schedules),
        active_schedules=counts["active"],
        inactive_schedules=counts["inactive"],
        invoices=list(contract.invoices.select_related("replaced_by", "generated_by")),
        audit_events=list(
            contract.audit_events.select_related("actor", "invoice")[:AUDIT_EVENTS_SHOWN]
        ),
    )
