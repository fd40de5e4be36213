"""Reads behind the invoicing pages: the Generate Invoice review, invoices, billing schedules
and what needs attention today. Each runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncMonth

from contracts.models import BillingContract
from invoicing import errors
from invoicing.errors import GenerationError
from invoicing.models import AuditEvent, GenerationJob, Invoice, InvoiceLine
from invoicing.services import InvoiceDraft, invoice_preview
from invoicing.services.comparing import InvoiceComparison, invoice_compare_with_draft
from invoicing.services.cycle_choices import (
    CycleChoice,
    CycleChoices,
    CycleState,
    contract_cycle_choices,
    schedule_to_preview,
)
from schedules.models import BillingSchedule

SCHEDULES_PER_PAGE = 50
ATTENTION_ROWS = 10
UPCOMING_DAYS = 7
FAILED_JOBS_DAYS = 7


@dataclass(frozen=True)
class CycleReview:
    """The Generate Invoice page for one cycle: what would be generated and what stands in the way."""

    contract: BillingContract
    as_of: date
    choices: CycleChoices
    choice: CycleChoice
    asked_cycle_unknown: bool
    with_preview: bool
    draft: InvoiceDraft | None
    draft_error: str | None
    comparison: InvoiceComparison | None

    @property
    def contract_refusal(self) -> str | None:
        """Why this contract cannot be invoiced at all, in the service's own words."""
        if self.contract.status == BillingContract.Status.ACTIVE:
            return None
        return errors.CONTRACT_NOT_ACTIVE.format(
            number=self.contract.number, status=self.contract.get_status_display().lower()
        )

    @property
    def ahead_of_schedule(self) -> bool:
        """A started cycle whose Invoice Date is still to come: generating now dates it today."""
        return self.choice.state == CycleState.PENDING and self.choice.invoice_date > self.as_of

    @property
    def invoice_is_paid(self) -> bool:
        return self.choice.invoice is not None and self.choice.invoice.is_paid

    @property
    def can_generate(self) -> bool:
        return not (
            self.contract_refusal
            or self.invoice_is_paid
            or self.draft_error
            or self.choice.state == CycleState.CANCELLED
        )


def cycle_review(
    *, contract: BillingContract, as_of: date, cycle_index: int | None, with_preview: bool
) -> CycleReview:
    """The chosen cycle (the current one unless asked), its preview and, when an invoice
    exists, the difference a replacement would make. Writes nothing."""
    choices = contract_cycle_choices(contract=contract, as_of=as_of)
    asked = choices.get(cycle_index) if cycle_index is not None else None
    choice = asked or choices.current
    draft = draft_error = comparison = None
    if with_preview:
        try:
            draft = invoice_preview(schedule=schedule_to_preview(contract, choice), as_of=as_of)
        except GenerationError as error:
            draft_error = str(error)
    if draft is not None and choice.invoice is not None:
        comparison = invoice_compare_with_draft(invoice=choice.invoice, draft=draft)
    return CycleReview(
        contract=contract,
        as_of=as_of,
        choices=choices,
        choice=choice,
        asked_cycle_unknown=cycle_index is not None and asked is None,
        with_preview=with_preview,
        draft=draft,
        draft_error=draft_error,
        comparison=comparison,
    )


@dataclass(frozen=True)
class InvoiceOverview:
    invoice: Invoice
    lines: list[InvoiceLine]
    audit_events: list[AuditEvent]


def invoice_overview(*, invoice: Invoice) -> InvoiceOverview:
    """An invoice's lines and its audit trail, the replacement that superseded it included."""
    events = AuditEvent.objects.filter(Q(invoice=invoice) | Q(invoice__replaces=invoice))
    return InvoiceOverview(
        invoice=invoice,
        lines=list(invoice.lines.all()),
        audit_events=list(events.select_related("actor", "invoice")),
    )


def invoice_for_page(pk: int) -> QuerySet[Invoice]:
    """The invoice with everything its page names, for get_object_or_404."""
    return Invoice.objects.select_related(
        "contract__customer", "schedule", "replaces", "replaced_by", "generated_by", "job__run"
    ).filter(pk=pk)


@dataclass(frozen=True)
class ScheduleFilters:
    state: str = "inactive"
    status: str = ""
    search: str = ""
    frequency: str = ""
    invoice_from: date | None = None
    invoice_to: date | None = None
    month_boundary: bool = False


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
class AttentionList:
    rows: list
    count: int


@dataclass(frozen=True)
class Attention:
    """What needs a billing manager's attention today, a few rows of each with their count."""

    as_of: date
    upcoming_from: date
    upcoming_until: date
    failed_since: date
    not_invoiced: AttentionList
    failed_jobs: AttentionList
    upcoming: AttentionList
    month_boundary: AttentionList


def attention_today(*, as_of: date) -> Attention:
    """Schedules due but not invoiced, recent failed jobs, invoices due in the coming days,
    and schedules whose Invoice Date falls in another month than their Next Invoice Date."""
    pending = BillingSchedule.objects.active().filter(
        contract__status=BillingContract.Status.ACTIVE
    )
    upcoming_from, upcoming_until = as_of + timedelta(days=1), as_of + timedelta(days=UPCOMING_DAYS)
    failed_since = as_of - timedelta(days=FAILED_JOBS_DAYS)
    return Attention(
        as_of=as_of,
        upcoming_from=upcoming_from,
        upcoming_until=upcoming_until,
        failed_since=failed_since,
        not_invoiced=_attention(BillingSchedule.objects.due(as_of).order_by("invoice_date", "id")),
        failed_jobs=_attention(
            GenerationJob.objects.filter(
                status=GenerationJob.Status.FAILED, run__as_of_date__gte=failed_since
            )
            .select_related("run", "contract__customer")
            .order_by("-run__as_of_date", "-id")
        ),
        upcoming=_attention(
            pending.filter(invoice_date__range=(upcoming_from, upcoming_until)).order_by(
                "invoice_date", "id"
            )
        ),
        month_boundary=_attention(
            across_month_boundary(pending.filter(invoice_date__gte=as_of)).order_by(
                "invoice_date", "id"
            )
        ),
    )


def _attention(rows: QuerySet) -> AttentionList:
    if rows.model is BillingSchedule:
        rows = rows.select_related("contract__customer")
    shown = list(rows[:ATTENTION_ROWS])
    # A short list is the whole list: count only when there may be more.
    return AttentionList(
        rows=shown, count=rows.count() if len(shown) == ATTENTION_ROWS else len(shown)
    )
