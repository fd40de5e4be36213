"""The invoice list (filters, totals per currency, the CSV of exactly that set), and what a
manager does on an invoice's page after generation: send again, retry, transfer received."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from billing_site.csv_safety import SafeCsvWriter
from billing_site.errors import BillingError
from invoicing.forms import InvoiceFilterForm
from invoicing.models import Door, Invoice
from invoicing.post_invoicing.errors import NO_TASK_TO_RETRY, TRANSFER_RECORDED
from invoicing.post_invoicing.export import EchoLines, invoices_csv_rows_of
from invoicing.post_invoicing.interventions import (
    invoices_send_again,
    payment_transfer_record,
    post_tasks_retry,
)
from invoicing.selectors.invoice_list import (
    invoice_list_page,
    invoice_list_totals,
    invoices_matching,
)

FILTERS_NOT_VALID = _("The filters are not valid ({fields}): correct them on the invoice list.")
SENT_AGAIN = _("Invoice {number} is queued to be emailed again.")
TASK_QUEUED_AGAIN = _("The task is queued again.")


@require_GET
@login_required
@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_list(request) -> HttpResponse:
    form = InvoiceFilterForm(request.GET)
    filters, today = form.filters(), timezone.localdate()
    invoices = invoices_matching(filters, today=today)
    totals = invoice_list_totals(filters, today=today)
    count = sum(total.invoices for total in totals)
    context = {
        "form": form,
        "page": invoice_list_page(invoices, request.GET.get("page"), count=count),
        "totals": totals,
        "csv_query": request.GET.urlencode(),
    }
    return render(request, "invoicing/invoice_list.html", context)


@require_GET
@login_required
@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_list_csv(request) -> HttpResponse:
    """The filtered invoices as CSV: exactly the set the list shows, or nothing."""
    form = InvoiceFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(FILTERS_NOT_VALID.format(fields=", ".join(form.errors)))
    invoices = invoices_matching(form.filters(), today=timezone.localdate())
    writer = SafeCsvWriter(EchoLines())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in invoices_csv_rows_of(invoices)), content_type="text/csv"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="invoices_{timezone.localdate().isoformat()}.csv"'
    )
    return response


@require_POST
@login_required
@permission_required("invoicing.retry_postinvoicingtask", raise_exception=True)
def invoice_send_again_view(request, pk: int) -> HttpResponse:
    """Email the invoice again to the customer's billing email."""
    invoice = get_object_or_404(Invoice, pk=pk)
    result = invoices_send_again(invoice_ids=[invoice.pk], user=request.user, door=Door.MANUAL)
    for refusal in result.refused:
        messages.error(request, refusal)
    if result.done:
        messages.success(request, SENT_AGAIN.format(number=invoice.number))
    return redirect("invoicing:invoice_detail", pk=invoice.pk)


@require_POST
@login_required
@permission_required("invoicing.retry_postinvoicingtask", raise_exception=True)
def invoice_task_retry_view(request, pk: int, task_pk: int) -> HttpResponse:
    """Queue one failed post-invoicing task of the invoice again."""
    invoice = get_object_or_404(Invoice, pk=pk)
    task_ids = list(invoice.post_tasks.filter(pk=task_pk).values_list("id", flat=True))
    result = post_tasks_retry(task_ids=task_ids, user=request.user, door=Door.MANUAL)
    if result.done:
        messages.success(request, TASK_QUEUED_AGAIN)
    else:
        messages.info(request, NO_TASK_TO_RETRY)
    return redirect("invoicing:invoice_detail", pk=invoice.pk)


@require_POST
@login_required
@permission_required("invoicing.record_transfer", raise_exception=True)
def invoice_transfer_record_view(request, pk: int) -> HttpResponse:
    """The bank transfer the invoice awaited was received: the invoice is paid."""
    invoice = get_object_or_404(Invoice, pk=pk)
    try:
        payment_transfer_record(invoice=invoice, user=request.user, door=Door.MANUAL)
    except BillingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, TRANSFER_RECORDED.format(number=invoice.number))
    return redirect("invoicing:invoice_detail", pk=invoice.pk)
