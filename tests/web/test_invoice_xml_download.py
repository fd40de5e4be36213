"""The Factur-X XML download beside the PDF on the invoice page: same permission, named
after the invoice, and a clear message while the seller's identity is incomplete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contracts.models import BillingSettings
from invoicing.errors import SELLER_COUNTRY_MISSING
from invoicing.post_invoicing.facturx_xml import invoice_facturx_xml
from tests.post_invoicing.documents import invoice_with_reverse_charge_line, seller_identity_set

pytestmark = pytest.mark.django_db


def test_a_viewer_downloads_the_xml_named_after_the_invoice(viewer_client):
    seller_identity_set()
    invoice = invoice_with_reverse_charge_line()

    response = viewer_client.get(reverse("post_invoicing:invoice_xml", args=[invoice.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.xml"'
    assert response.content == invoice_facturx_xml(invoice=invoice)


def test_the_invoice_page_links_the_xml_beside_the_pdf(viewer_client):
    seller_identity_set()
    invoice = invoice_with_reverse_charge_line()

    page = viewer_client.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content

    assert f'href="/invoices/{invoice.pk}/xml/">Download XML (Factur-X)'.encode() in page


def test_someone_outside_the_billing_groups_is_refused(outsider_client):
    seller_identity_set()
    invoice = invoice_with_reverse_charge_line()

    response = outsider_client.get(reverse("post_invoicing:invoice_xml", args=[invoice.pk]))

    assert response.status_code == 403


def test_without_the_sellers_country_the_download_says_what_to_fill_in(viewer_client):
    seller_identity_set()
    BillingSettings.objects.update(seller_country="", seller_vat_id="")
    invoice = invoice_with_reverse_charge_line()

    response = viewer_client.get(reverse("post_invoicing:invoice_xml", args=[invoice.pk]))

    assert response.status_code == 409
    assert response.content.decode() == SELLER_COUNTRY_MISSING
