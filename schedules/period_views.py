"""Posting periods in the web UI: the months around today with their state, Close (with a
confirmation) and Reopen (its own permission). Each write goes through the services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing_site.dates import day_name, month_name
from billing_site.errors import BillingError
from billing_site.forms import BillingDateField
from schedules.period_selectors import first_open_after_closing, posting_periods_listed
from schedules.posting_periods import month_of
from schedules.services.periods import (
    CLOSE_PERMISSION,
    REOPEN_PERMISSION,
    pending_due_in,
    posting_period_close,
    posting_period_reopen,
)

CLOSED = _("{month} closed: no invoice is dated inside it from now on.")
REOPENED = _("{month} reopened: invoices may be dated inside it again.")
CONFIRM_REQUIRED = _("Tick the confirmation to close the month.")


class PeriodForm(forms.Form):
    month = BillingDateField(label=_("Month"))


class CloseForm(PeriodForm):
    confirm = forms.BooleanField(
        label=_("Close this month"), error_messages={"required": CONFIRM_REQUIRED}
    )


@require_GET
@login_required
@permission_required("schedules.view_postingperiod", raise_exception=True)
def posting_period_list(request: HttpRequest) -> HttpResponse:
    """The last 24 months, this one and the next 3: open, or closed by whom and when."""
    listed = posting_periods_listed(today=timezone.localdate())
    return render(request, "schedules/posting_periods.html", {"listed": listed})


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(CLOSE_PERMISSION, raise_exception=True)
def posting_period_close_view(request: HttpRequest) -> HttpResponse:
    """GET: what closing the month does (its Pending schedules). POST with the
    confirmation: close it."""
    form = CloseForm(request.POST) if request.method == "POST" else PeriodForm(request.GET)
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["month"]
        try:
            period = posting_period_close(month=month, user=request.user)
        except BillingError as error:
            messages.error(request, str(error))
            return redirect("posting_periods:list")
        messages.success(request, CLOSED.format(month=month_name(period.month)))
        return redirect("posting_periods:list")
    if not form.is_valid() and "month" in form.errors:
        for error in form.errors["month"]:
            messages.error(request, error)
        return _list_with_status(request, 400)
    month = month_of(form.cleaned_data["month"])
    if request.method == "GET":
        form = CloseForm(initial={"month": month})
    context = {
        "form": form,
        "month": month,
        "label": month_name(month),
        "pending": pending_due_in(month),
        "first_open": day_name(first_open_after_closing(month)),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "schedules/posting_period_close.html", context, status=status)


@require_POST
@login_required
@permission_required(REOPEN_PERMISSION, raise_exception=True)
def posting_period_reopen_view(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("month", []):
            messages.error(request, error)
        return _list_with_status(request, 400)
    try:
        period = posting_period_reopen(month=form.cleaned_data["month"], user=request.user)
    except BillingError as error:
        messages.error(request, str(error))
        return redirect("posting_periods:list")
    messages.success(request, REOPENED.format(month=month_name(period.month)))
    return redirect("posting_periods:list")


def _list_with_status(request: HttpRequest, status: int) -> HttpResponse:
    listed = posting_periods_listed(today=timezone.localdate())
    return render(request, "schedules/posting_periods.html", {"listed": listed}, status=status)
