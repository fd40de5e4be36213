"""URLs of the post-invoicing downloads: include("invoicing.post_invoicing.urls")."""

from django.urls import path

from invoicing.post_invoicing import views

app_name = "post_invoicing"

urlpatterns = [
    path("invoices/<int:pk>/pdf/", views.invoice_pdf_download, name="invoice_pdf"),
    path("invoices/<int:pk>/xml/", views.invoice_xml_download, name="invoice_xml"),
    path("invoices/export.csv", views.invoices_csv_download, name="invoices_csv"),
]
