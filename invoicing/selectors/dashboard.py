"""What the dashboard asks the manager to look at today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet

from contracts.models import BillingContract
from invoicing.models import GenerationJob
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
