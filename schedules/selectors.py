"""Reads behind the schedules page (schedules across contracts, filtered and paged), the
contract page's schedules tab, and the offset editor's preview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from contracts.models import BillingContract
from schedules import cycles
from schedules.models import BillingSchedule, PostingPeriod
from schedules.posting_periods import first_open_day, posting_note

SCHEDULES_PER_PAGE = 50


@dataclass(frozen=True)
class ScheduleFilters:
    state: str = "inactive"
    status: str = ""
    search: str = ""
    frequency: str = ""
    invoice_from: date | None = None
    invoice_to: date | None = None
    month_boundary: bool = False
    contract_id: int | None = None  # one contract's schedules
    due_on: date | None = None  # Pending schedules of active contracts due by this day


def schedules_matching(filters: ScheduleFilters) -> QuerySet[BillingSchedule]:
    """Schedules across contracts: Active (Pending) or Inactive (Invoiced, Cancelled)."""
    schedules = BillingSchedule.objects.select_related("contract__customer", "resulting_invoice")
    if filters.state == "active":
        schedules = schedules.active().order_by("invoice_date", "contract__number")
    else:
        schedules = schedules.inactive().order_by("-invoice_date", "-id")
        if filters.status:
            schedules = schedules.filter(status=filters.status)
    if filters.search:
        schedules = schedules.filter(
            Q(contract__number__icontains=filters.search)
            | Q(contract__customer__name__icontains=filters.search)
        )
    if filters.frequency:
        schedules = schedules.filter(contract__billing_frequency=filters.frequency)
    if filters.invoice_from:
        schedules = schedules.filter(invoice_date__gte=filters.invoice_from)
    if filters.invoice_to:
        schedules = schedules.filter(invoice_date__lte=filters.invoice_to)
    if filters.month_boundary:
        schedules = across_month_boundary(schedules)
    if filters.contract_id:
        schedules = schedules.filter(contract_id=filters.contract_id)
    if filters.due_on:
        schedules = schedules.due(filters.due_on)
    return schedules


def across_month_boundary(schedules: QuerySet[BillingSchedule]) -> QuerySet[BillingSchedule]:
    """Schedules whose offset moves the Invoice Date into another month than the anchor's."""
    return schedules.alias(
        anchor_month=TruncMonth("next_invoice_date"), invoice_month=TruncMonth("invoice_date")
    ).exclude(anchor_month=F("invoice_month"))


def schedule_list_page(*, filters: ScheduleFilters, page_number) -> Page:
    """One page of the billing schedules list."""
    return Paginator(schedules_matching(filters), SCHEDULES_PER_PAGE).get_page(page_number)


@dataclass(frozen=True)
class ContractSchedules:
    """The contract page's schedules tab: Active (Pending) or Inactive, with both counts."""

    state: str
    schedules: list[BillingSchedule]
    active_count: int
    inactive_count: int


def contract_schedules(*, contract: BillingContract, state: str) -> ContractSchedules:
    """The Active schedules in cycle order, or the Inactive ones newest first; any other
    `state` is taken as Active."""
    schedules = contract.schedules.select_related("resulting_invoice")
    if state == "inactive":
        schedules = schedules.inactive().order_by("-cycle_index")
    else:
        state, schedules = "active", schedules.active().order_by("cycle_index")
    counts = contract.schedules.aggregate(
        active=Count("id", filter=Q(status=BillingSchedule.Status.PENDING)),
        inactive=Count("id", filter=~Q(status=BillingSchedule.Status.PENDING)),
    )
    return ContractSchedules(
        state=state,
        schedules=list(schedules),
        active_count=counts["active"],
        inactive_count=counts["inactive"],
    )


@dataclass(frozen=True)
class OffsetChangeRow:
    """One Pending cycle as an offset change would re-date it: the period and the Next
    Invoice Date stay; only the Invoice Date moves."""

    schedule: BillingSchedule
    invoice_date_after: date
    crosses_month: bool  # the new Invoice Date falls in another month than its anchor
    due_at_once: bool  # the new Invoice Date has come: the next nightly run generates it
    # The date its invoice would carry: the new Invoice Date, or the first open day after
    # it when that falls in a closed posting period.
    dated_after: date

    @property
    def posting_note(self) -> str:
        """Why its invoice would carry another date than the new Invoice Date, or ""."""
        return posting_note(self.invoice_date_after, self.dated_after)


@dataclass(frozen=True)
class OffsetChangePreview:
    contract: BillingContract
    offset_days: int
    rows: list[OffsetChangeRow]
    # The customer's other contracts with another offset: (number, offset days).
    other_offsets: list[tuple[str, int]]

    @property
    def moved(self) -> int:
        return sum(row.invoice_date_after != row.schedule.invoice_date for row in self.rows)

    @property
    def crossing_month(self) -> int:
        return sum(row.crosses_month for row in self.rows)

    @property
    def in_closed_period(self) -> int:
        return sum(bool(row.posting_note) for row in self.rows)


def offset_change_preview(
    *, contract: BillingContract, offset_days: int, today: date
) -> OffsetChangePreview:
    """What setting the contract's Invoice Generation Offset to `offset_days` would do to
    its Pending schedules, before anything is saved (three queries)."""
    rows = []
    schedules = list(contract.schedules.active().order_by("cycle_index"))
    earliest = min(
        (cycles.offset_invoice_date(s.next_invoice_date, offset_days) for s in schedules),
        default=today,
    )
    closed_months = PostingPeriod.objects.closed_months(since=earliest)
    for schedule in schedules:
        after = cycles.offset_invoice_date(schedule.next_invoice_date, offset_days)
        rows.append(
            OffsetChangeRow(
                schedule=schedule,
                invoice_date_after=after,
                crosses_month=cycles.crosses_month(schedule.next_invoice_date, after),
                due_at_once=after <= today,
                dated_after=first_open_day(after, closed_months),
            )
        )
    others = (
        BillingContract.objects.filter(customer_id=contract.customer_id)
        .exclude(pk=contract.pk)
        .exclude(status__in=(BillingContract.Status.CANCELLED, BillingContract.Status.ENDED))
        .exclude(invoice_offset_days=offset_days)
        .order_by("number")
        .values_list("number", "invoice_offset_days")
    )
    return OffsetChangePreview(contract, offset_days, rows, list(others))
