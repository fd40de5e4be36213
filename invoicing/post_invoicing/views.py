"""Downloads for the web UI: an invoice's PDF and its Factur-X XML, and the CSV export over
a date range."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from billing_site.csv_safety import SafeCsvWriter
from billing_site.errors import BillingError
from invoicing.models import Invoice
from invoicing.post_invoicing.export import EchoLines, invoices_csv_rows, invoices_for_export
from invoicing.post_invoicing.facturx_xml import (
    XML_CONTENT_TYPE,
    invoice_facturx_xml,
    invoice_xml_filename,
)
from invoicing.post_invoicing.pdf import PDF_CONTENT_TYPE, invoice_pdf_filename, invoice_pdf_render

BAD_RANGE = "Give the range as ?start=YYYY-MM-DD&end=YYYY-MM-DD, start not after end."


@require_GET
@login_required
@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_pdf_download(request, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("contract__customer"), pk=pk)
    response = HttpResponse(invoice_pdf_render(invoice=invoice), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{invoice_pdf_filename(invoice)}"'
    return response


@require_GET
@login_required
@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_xml_download(request, pk: int) -> HttpResponse:
    """The Factur-X XML (EN 16931 CII) of an invoice or credit note, as its PDF carries it."""
    invoice = get_object_or_404(Invoice.objects.select_related("contract__customer"), pk=pk)
    try:
        xml = invoice_facturx_xml(invoice=invoice)
    except BillingError as error:
        return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(xml, content_type=XML_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{invoice_xml_filename(invoice)}"'
    return response


@require_GET
@login_required
@permission_required("invoicing.view_invoice", raise_exception=True)
def invoices_csv_download(request) -> HttpResponse:
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
        end = date.fromisoformat(request.GET.get("end", ""))
        invoices_for_export(start=start, end=end)
    except ValueError:
        return HttpResponseBadRequest(BAD_RANGE)
    writer = SafeCsvWriter(EchoLines())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in invoices_csv_rows(start=start, end=end)),
        content_type="text/csv",
    )
    response["Content-Disposition"] = f'attachment; filename="invoices_{start}_{end}.csv"'
    return response
