"""Closing and reopening posting periods: who may, what each leaves on the trail."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from billing_site.errors import BillingError
from schedules import errors
from schedules.models import PostingPeriod, PostingPeriodEvent
from schedules.services.periods import posting_period_close, posting_period_reopen
from tests.factories import BILLING_VIEWERS, user_in

pytestmark = pytest.mark.django_db
D = datetime.date
FEBRUARY = D(2026, 2, 1)


def reopener(manager):
    manager.user_permissions.add(Permission.objects.get(codename="reopen_postingperiod"))
    manager = type(manager).objects.get(pk=manager.pk)  # fresh permission cache
    return manager


def test_a_manager_closes_a_month_with_who_and_when(manager, contract, today):
    period = posting_period_close(month=D(2026, 2, 17), user=manager)

    assert period.month == FEBRUARY and period.is_closed and period.closed_by == manager
    (event,) = PostingPeriodEvent.objects.all()
    assert (event.action, event.actor, event.period) == ("closed", manager, period)
    assert PostingPeriod.objects.closed_months() == {FEBRUARY}


def test_closing_counts_the_pending_schedules_due_in_the_month(manager, contract, today):
    # January and February's cycles (Invoice Dates 2 Jan and 2 Feb) are due and Pending.
    posting_period_close(month=FEBRUARY, user=manager)

    assert PostingPeriodEvent.objects.get().pending_schedules == 1


def test_a_month_closed_twice_is_refused_and_names_who_closed_it(manager, today):
    posting_period_close(month=FEBRUARY, user=manager)

    with pytest.raises(BillingError, match="February 2026 is already closed.*manager"):
        posting_period_close(month=FEBRUARY, user=manager)
    assert PostingPeriodEvent.objects.count() == 1


def test_a_month_not_started_cannot_be_closed(manager, today):
    with pytest.raises(BillingError) as refused:
        posting_period_close(month=D(2026, 4, 1), user=manager)

    assert str(refused.value) == errors.PERIOD_NOT_STARTED.format(month="April 2026")
    assert not PostingPeriod.objects.exists()


def test_a_viewer_may_not_close(today):
    with pytest.raises(PermissionDenied):
        posting_period_close(month=FEBRUARY, user=user_in(BILLING_VIEWERS, username="v"))
    assert not PostingPeriod.objects.exists()


def test_a_manager_may_not_reopen_without_the_reopen_permission(manager, today):
    posting_period_close(month=FEBRUARY, user=manager)

    with pytest.raises(PermissionDenied, match="its own permission"):
        posting_period_reopen(month=FEBRUARY, user=manager)
    assert PostingPeriod.objects.get().is_closed


def test_the_reopen_permission_reopens_and_leaves_its_event(manager, today):
    posting_period_close(month=FEBRUARY, user=manager)

    period = posting_period_reopen(month=FEBRUARY, user=reopener(manager))

    assert not period.is_closed and PostingPeriod.objects.closed_months() == frozenset()
    assert list(PostingPeriodEvent.objects.values_list("action", flat=True)) == [
        "reopened",
        "closed",
    ]


def test_an_open_month_cannot_be_reopened_and_nothing_is_written(manager, today):
    with pytest.raises(BillingError, match="is open"):
        posting_period_reopen(month=FEBRUARY, user=reopener(manager))
    assert not PostingPeriod.objects.exists()


def test_a_reopened_month_can_be_closed_again(manager, today):
    posting_period_close(month=FEBRUARY, user=manager)
    posting_period_reopen(month=FEBRUARY, user=reopener(manager))

    assert posting_period_close(month=FEBRUARY, user=manager).is_closed
    assert PostingPeriod.objects.count() == 1 and PostingPeriodEvent.objects.count() == 3
