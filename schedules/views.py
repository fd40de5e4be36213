"""Billing schedules across contracts: the Active and Inactive views of the product."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from schedules.forms import ScheduleFilterForm
from schedules.selectors import schedule_list_page


@require_GET
@login_required
@permission_required("schedules.view_billingschedule", raise_exception=True)
def schedule_list(request):
    """Schedules filtered by state, status, contract, frequency and Invoice Date."""
    form = ScheduleFilterForm(request.GET)
    filters = form.filters()
    page = schedule_list_page(filters=filters, page_number=request.GET.get("page"))
    return render(
        request, "schedules/schedule_list.html", {"form": form, "filters": filters, "page": page}
    )
