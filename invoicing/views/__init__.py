"""Invoicing pages, one module per area; the URLconf reads them all from here."""

from invoicing.views.bulk import BulkGenerateView
from invoicing.views.catch_up import CatchUpView
from invoicing.views.change_log import (
    ChangeLogInvoiceView,
    change_log_replace_view,
    invoice_void_view,
)
from invoicing.views.crediting import CreditNoteView
from invoicing.views.forecast import forecast, forecast_csv
from invoicing.views.generate import GenerateInvoiceView, dashboard, invoice_detail
from invoicing.views.invoices import (
    invoice_list,
    invoice_list_csv,
    invoice_send_again_view,
    invoice_task_retry_view,
    invoice_transfer_record_view,
)
from invoicing.views.runs import job_detail, run_detail, run_list, run_resume_view, run_retry_view

__all__ = [
    "BulkGenerateView",
    "CatchUpView",
    "ChangeLogInvoiceView",
    "CreditNoteView",
    "change_log_replace_view",
    "invoice_void_view",
    "GenerateInvoiceView",
    "dashboard",
    "forecast",
    "forecast_csv",
    "invoice_detail",
    "invoice_list",
    "invoice_list_csv",
    "invoice_send_again_view",
    "invoice_task_retry_view",
    "invoice_transfer_record_view",
    "job_detail",
    "run_detail",
    "run_list",
    "run_resume_view",
    "run_retry_view",
]
