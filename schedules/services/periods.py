"""Closing and reopening posting periods: who may, and the trail each leaves."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from billing_site.actors import Actor, recorded_actor
from billing_site.dates import day_name, month_name
from billing_site.errors import BillingError
from schedules import errors
from schedules.models import BillingSchedule, PostingPeriod, PostingPeriodEvent
from schedules.posting_periods import month_of

CLOSE_PERMISSION = "schedules.close_postingperiod"
REOPEN_PERMISSION = "schedules.reopen_postingperiod"


def _permission_check(user: Actor, permission: str, refusal: str) -> None:
    """A person needs the permission, whichever door asks; a command (no user) does not."""
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(refusal)


def pending_due_in(month: date) -> int:
    """Pending schedules whose Invoice Date falls in the month: closing it moves their
    invoices to the first open day."""
    month = month_of(month)
    return (
        BillingSchedule.objects.active()
        .filter(invoice_date__gte=month, invoice_date__lt=month + relativedelta(months=1))
        .count()
    )


def _period_locked(month: date) -> PostingPeriod:
    PostingPeriod.objects.get_or_create(month=month)
    return (
        PostingPeriod.objects.select_for_update(of=("self",))
        .select_related("closed_by")
        .get(month=month)
    )


@transaction.atomic
def posting_period_close(
    *, month: date, user: Actor, door: str = "web", today: date | None = None
) -> PostingPeriod:
    """Close the month containing `month`: from now on no invoice is dated inside it."""
    _permission_check(user, CLOSE_PERMISSION, errors.CLOSE_NOT_ALLOWED)
    month = month_of(month)
    today = today or timezone.localdate()
    if month > today:
        raise BillingError(errors.PERIOD_NOT_STARTED.format(month=month_name(month)))
    period = _period_locked(month)
    if period.is_closed:
        assert period.closed_at is not None
        raise BillingError(
            errors.PERIOD_ALREADY_CLOSED.format(
                month=month_name(month),
                who=period.closed_by or "a command",
                when=day_name(timezone.localtime(period.closed_at).date()),
            )
        )
    period.closed_at = timezone.now()
    period.closed_by = recorded_actor(user)
    period.full_clean()
    period.save(update_fields=["closed_at", "closed_by"])
    _event_record(period, PostingPeriodEvent.Action.CLOSED, user, door, pending_due_in(month))
    return period


@transaction.atomic
def posting_period_reopen(*, month: date, user: Actor, door: str = "web") -> PostingPeriod:
    """Reopen a closed month: invoices may be dated inside it again. Its own permission."""
    _permission_check(user, REOPEN_PERMISSION, errors.REOPEN_NOT_ALLOWED)
    month = month_of(month)
    period = _period_locked(month)
    if not period.is_closed:
        raise BillingError(errors.PERIOD_NOT_CLOSED.format(month=month_name(month)))
    period.closed_at = None
    period.closed_by = None
    period.save(update_fields=["closed_at", "closed_by"])
    _event_record(period, PostingPeriodEvent.Action.REOPENED, user, door, pending_due_in(month))
    return period


def _event_record(
    period: PostingPeriod, action: str, user: Actor, door: str, pending: int
) -> PostingPeriodEvent:
    return PostingPeriodEvent.objects.create(
        period=period,
        action=action,
        actor=recorded_actor(user),
        door=door,
        pending_schedules=pending,
    )
