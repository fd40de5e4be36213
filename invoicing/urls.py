from django.urls import path

from invoicing import views
from invoicing.views.ending import contract_end_view

app_name = "invoicing"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("contracts/bulk/", views.BulkGenerateView.as_view(), name="bulk"),
    path("generate-all-due/", views.CatchUpView.as_view(), name="catch_up"),
    path(
        "contracts/<int:contract_pk>/generate/",
        views.GenerateInvoiceView.as_view(),
        name="generate",
    ),
    path(
        "contracts/<int:contract_pk>/change-log-invoice/",
        views.ChangeLogInvoiceView.as_view(),
        name="change_log_invoice",
    ),
    path("contracts/<int:contract_pk>/end/", contract_end_view, name="contract_end"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/list.csv", views.invoice_list_csv, name="invoice_list_csv"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/credit/", views.CreditNoteView.as_view(), name="credit_note"),
    path("invoices/<int:pk>/void/", views.invoice_void_view, name="invoice_void"),
    path("invoices/<int:pk>/send-again/", views.invoice_send_again_view, name="send_again"),
    path(
        "invoices/<int:pk>/tasks/<int:task_pk>/retry/",
        views.invoice_task_retry_view,
        name="task_retry",
    ),
    path(
        "invoices/<int:pk>/transfer-received/",
        views.invoice_transfer_record_view,
        name="transfer_received",
    ),
    path("invoices/<int:pk>/replace/", views.change_log_replace_view, name="change_log_replace"),
    path("forecast/", views.forecast, name="forecast"),
    path("forecast/forecast.csv", views.forecast_csv, name="forecast_csv"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/retry/", views.run_retry_view, name="run_retry"),
    path("runs/<int:pk>/resume/", views.run_resume_view, name="run_resume"),
    path("runs/jobs/<int:pk>/", views.job_detail, name="job_detail"),
]
