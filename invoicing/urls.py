from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "contracts/<int:contract_pk>/generate/",
        views.GenerateInvoiceView.as_view(),
        name="generate",
    ),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
]
