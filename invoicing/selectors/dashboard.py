"""What the dashboard asks the manager to look at today, and the invoiced cycles that run
past their contract's end (the dashboard and the contract page show them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, QuerySet, Window

from contracts.models import BillingContract
from invoicing.models import GenerationJob, Invoice
from schedules.models import BillingSchedule
from schedules.selectors import across_month_boundary

ATTENTION_ROWS = 10


UPCOMING_DAYS = 7


FAILED_JOBS_DAYS = 7


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
    past_contract_end: AttentionList


@dataclass(frozen=True)
class InvoicePastEnd:
    """A live regular invoice whose cycle ends after its contract's end date: it still bills
    the days after the end that no credit note took back (its schedule's period is cut where
    ending the contract credited it; an end date set in admin credits nothing)."""

    invoice: Invoice
    contract_end: date

    @property
    def first_uncredited_day(self) -> date:
        return max(self.contract_end + timedelta(days=1), self.invoice.period_start)

    @property
    def last_uncredited_day(self) -> date:
        schedule = self.invoice.schedule
        return schedule.period_end if schedule is not None else self.invoice.period_end

    @property
    def uncredited_days(self) -> int:
        return (self.last_uncredited_day - self.first_uncredited_day).days + 1


def invoices_past_contract_end() -> QuerySet[Invoice]:
    """Live regular invoices billing days after their contract's end date that no credit note
    took back (their schedule's period, cut when a credit note did, still runs past the
    end), the longest outstanding first."""
    return (
        Invoice.objects.live_regular()
        .filter(contract__end_date__isnull=False, contract__end_date__lt=F("schedule__period_end"))
        .select_related("contract__customer", "schedule")
        .order_by("contract__end_date", "id")
    )


def contract_invoices_past_end(*, contract: BillingContract) -> list[InvoicePastEnd]:
    """The contract's invoiced cycles that exceed its end date; no query without one."""
    if contract.end_date is None:
        return []
    return [
        InvoicePastEnd(invoice=invoice, contract_end=contract.end_date)
        for invoice in invoices_past_contract_end().filter(contract=contract)
    ]


def attention_today(*, as_of: date) -> Attention:
    """Schedules due but not invoiced, recent failed jobs, invoices due in the coming days,
    schedules whose Invoice Date falls in another month than their Next Invoice Date, and
    invoiced cycles past their contract's end."""
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
        not_invoiced=_exceptions(
            BillingSchedule.objects.due(as_of)
            .select_related("contract__customer")
            .order_by("invoice_date", "id")
        ),
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
        past_contract_end=_past_contract_end(),
    )


def _past_contract_end() -> AttentionList:
    listed = _exceptions(invoices_past_contract_end())
    rows = [
        InvoicePastEnd(invoice=invoice, contract_end=invoice.contract.end_date)
        for invoice in listed.rows
    ]
    return AttentionList(rows=rows, count=listed.count)


def _exceptions(rows: QuerySet) -> AttentionList:
    """A list that should be empty on a good day: its rows and count in one query (the
    count rides on each row), cheap while the list is short."""
    shown = list(rows.annotate(listed_count=Window(Count("id")))[:ATTENTION_ROWS])
    return AttentionList(rows=shown, count=shown[0].listed_count if shown else 0)


def _attention(rows: QuerySet) -> AttentionList:
    if rows.model is BillingSchedule:
        rows = rows.select_related("contract__customer")
    shown = list(rows[:ATTENTION_ROWS])
    # A short list is the whole list: count only when there may be more.
    return AttentionList(
        rows=shown, count=rows.count() if len(shown) == ATTENTION_ROWS else len(shown)
    )
