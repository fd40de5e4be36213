"""Invoices and credit notes: the invoice list's filters, one invoice with its lines and
chain, its PDF and Factur-X XML (the pages' downloads), and void (the page's service)."""

from __future__ import annotations

from dataclasses import replace

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.errors import NOT_FOUND
from api.ordering import StrictOrderingFilter
from api.problems import problem_response
from api.renderers import PdfRenderer, XmlRenderer
from api.v1.invoice_serializers import (
    InvoiceDetailSerializer,
    InvoiceSummarySerializer,
    InvoiceVoidSerializer,
)
from api.v1.queries import query_form
from billing_site.errors import BillingError
from billing_site.forms import MAX_ID
from invoicing.forms import InvoiceFilterForm
from invoicing.models import Door, Invoice
from invoicing.post_invoicing.facturx_xml import (
    XML_CONTENT_TYPE,
    invoice_facturx_xml,
    invoice_xml_filename,
)
from invoicing.post_invoicing.pdf import PDF_CONTENT_TYPE, invoice_pdf_filename, invoice_pdf_render
from invoicing.selectors.invoice_list import InvoiceFilters, invoices_matching
from invoicing.selectors.invoices import invoice_for_page, invoice_overview
from invoicing.services.voiding import invoice_void

NOT_A_FILTER_HERE = "This list holds credit notes only: leave this parameter out."
ISO_DATE = "A date as YYYY-MM-DD."
FILTERS = [
    OpenApiParameter("q", str, description="Part of the invoice or contract number."),
    OpenApiParameter("customer", str, description="Part of the customer's name."),
    OpenApiParameter("customer_id", int, description="One customer's invoices."),
    OpenApiParameter("status", str, enum=Invoice.Status.values),
    OpenApiParameter("kind", str, enum=Invoice.Kind.values),
    OpenApiParameter("currency", str, description="An ISO 4217 code invoices are issued in."),
    OpenApiParameter("payment", str, enum=["paid", "unpaid", "overdue"]),
    OpenApiParameter("issued_from", OpenApiTypes.DATE, description=ISO_DATE),
    OpenApiParameter("issued_to", OpenApiTypes.DATE, description=ISO_DATE),
    OpenApiParameter("due_from", OpenApiTypes.DATE, description=ISO_DATE),
    OpenApiParameter("due_to", OpenApiTypes.DATE, description=ISO_DATE),
]
DOCUMENT_FILTER = OpenApiParameter("document", str, enum=Invoice.Document.values)


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class InvoiceListing(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The invoice list's filters and selector, in cursor pages."""

    queryset = Invoice.objects.all()
    serializer_class = InvoiceSummarySerializer
    filter_backends = [StrictOrderingFilter]
    ordering_fields = ["id", "number"]  # unique: see api.ordering
    ordering = ["-id"]
    lookup_value_regex = "[0-9]{1,18}"  # any other id is an unknown address: a 404 problem

    def get_queryset(self):
        if self.action != "list":
            return Invoice.objects.all()
        # Asked twice a request (the permission check asks for the model): one form, one
        # query of the currencies it offers.
        if not hasattr(self, "_matching"):
            filters = query_form(self.request, InvoiceFilterForm).filters()
            self._matching = invoices_matching(self.scoped(filters), today=timezone.localdate())
        return self._matching

    def scoped(self, filters: InvoiceFilters) -> InvoiceFilters:
        return filters


class InvoiceViewSet(InvoiceListing):
    """Invoices and credit notes (the `document` field tells them apart)."""

    action_permissions = {"void": ("invoicing.replace_invoice",)}  # the invoice page's

    @extend_schema(parameters=[*FILTERS, DOCUMENT_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=InvoiceDetailSerializer)
    def retrieve(self, request, pk=None):
        invoice = get_object_or_404(invoice_for_page(self.pk_of(pk)))
        overview = invoice_overview(invoice=invoice, user=request.user)
        return Response(InvoiceDetailSerializer(invoice, context={"overview": overview}).data)

    @extend_schema(
        responses={(200, PDF_CONTENT_TYPE): OpenApiTypes.BINARY},
        description="The invoice or credit note as a Factur-X PDF, as the invoice page has it.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        invoice = get_object_or_404(invoice_for_page(self.pk_of(pk)))
        return _file(
            invoice_pdf_render(invoice=invoice), PDF_CONTENT_TYPE, invoice_pdf_filename(invoice)
        )

    @extend_schema(
        responses={
            (200, XML_CONTENT_TYPE): OpenApiTypes.BINARY,
            (409, "application/problem+json"): OpenApiResponse(
                description="The seller's identity lacks what EN 16931 requires (its country)."
            ),
        },
        description="The Factur-X XML (EN 16931 CII) the PDF carries.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, XmlRenderer])
    def xml(self, request, pk=None):
        invoice = get_object_or_404(invoice_for_page(self.pk_of(pk)))
        try:
            xml = invoice_facturx_xml(invoice=invoice)
        except BillingError as error:  # the page answers 409 too
            return problem_response(status.HTTP_409_CONFLICT, detail=str(error), request=request)
        return _file(xml, XML_CONTENT_TYPE, invoice_xml_filename(invoice))

    @extend_schema(request=InvoiceVoidSerializer, responses=InvoiceDetailSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void an issued, unpaid invoice: a credit note takes it back, its cycle is Pending."""
        invoice = get_object_or_404(Invoice.objects.filter(pk=self.pk_of(pk)))
        serializer = InvoiceVoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        invoice_void(invoice=invoice, user=request.user, reason=reason, door=Door.MANUAL)
        return self.retrieve(request, pk=pk)

    def pk_of(self, pk) -> int:
        """The id in the address; past the database's integers it names no invoice."""
        if pk is None or not str(pk).isdigit() or int(pk) > MAX_ID:
            raise NotFound(NOT_FOUND)
        return int(pk)


class CreditNoteViewSet(InvoiceListing):
    """Credit notes only: the invoice list filtered to them (each one is read, downloaded
    and corrected at /invoices/{id}/)."""

    def scoped(self, filters: InvoiceFilters) -> InvoiceFilters:
        if "document" in self.request.query_params:
            raise ValidationError({"document": [NOT_A_FILTER_HERE]})
        return replace(filters, document=Invoice.Document.CREDIT_NOTE)

    @extend_schema(parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
