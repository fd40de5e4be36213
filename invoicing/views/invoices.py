"""The invoice list: filters, totals per currency, and the CSV of exactly that set."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from billing_site.csv_safety import SafeCsvWriter
from invoicing.forms import InvoiceFilterForm
from invoicing.post_invoicing.export import EchoLines, invoices_csv_rows_of
from invoicing.selectors.invoice_list import invoice_list_page, invoice_totals, invoices_matching

FILTERS_NOT_VALID = "The filters are not valid ({fields}): correct them on the invoice list."


@require_GET
@login_required
@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_list(request) -> HttpResponse:
    form = InvoiceFilterForm(request.GET)
    invoices = invoices_matching(form.filters(), today=timezone.localdate())
    context = {
        "form": form,
        "page": invoice_list_page(invoices, request.GET.get("page")),
        "totals": invoice_totals(invoices),
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
