"""Reads behind the posting periods page: the months around today with their state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.db.models.functions import TruncMonth

from billing_site.dates import month_name
from schedules.models import BillingSchedule, PostingPeriod, PostingPeriodEvent
from schedules.posting_periods import first_open_day, months_around

MONTHS_BEFORE = 24
MONTHS_AFTER = 3
EVENTS_SHOWN = 20


@dataclass(frozen=True)
class PeriodRow:
    month: date
    period: PostingPeriod | None
    pending_due: int  # Pending schedules with their Invoice Date in the month
    started: bool  # only a started month can be closed

    @property
    def label(self) -> str:
        return month_name(self.month)

    @property
    def is_closed(self) -> bool:
        return self.period is not None and self.period.is_closed


@dataclass(frozen=True)
class PostingPeriods:
    rows: list[PeriodRow]
    events: list[PostingPeriodEvent]


def posting_periods_listed(*, today: date) -> PostingPeriods:
    """The last 24 months, this one and the next 3, newest first, with who closed each,
    the Pending schedules due in it, and the latest closes and reopens (three queries)."""
    months = months_around(today, before=MONTHS_BEFORE, after=MONTHS_AFTER)
    first, last = months[-1], months[0]
    periods = {
        period.month: period
        for period in PostingPeriod.objects.filter(
            month__gte=first, month__lte=last
        ).select_related("closed_by")
    }
    pending = dict(
        BillingSchedule.objects.active()
        .filter(invoice_date__gte=first, invoice_date__lt=last + relativedelta(months=1))
        .annotate(month=TruncMonth("invoice_date"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    rows = [
        PeriodRow(month, periods.get(month), pending.get(month, 0), month <= today)
        for month in months
    ]
    events = PostingPeriodEvent.objects.select_related("period", "actor")[:EVENTS_SHOWN]
    return PostingPeriods(rows=rows, events=list(events))


def first_open_after_closing(month: date) -> date:
    """The day invoices dated in `month` would carry once it is closed (one query)."""
    return first_open_day(month, PostingPeriod.objects.closed_months(since=month) | {month})
