"""The invoicing services: every door (views, admin, tasks, commands) calls these."""

from invoicing.services.drafting import InvoiceDraft, draft_regular_invoice
from invoicing.services.runs import (
    generation_run_execute,
    generation_run_open,
    run_chunk_process,
    run_finish_if_done,
    run_job_chunks,
    run_jobs_give_up,
)
from invoicing.services.single import invoice_generate, invoice_live_for, invoice_preview

__all__ = [
    "InvoiceDraft",
    "draft_regular_invoice",
    "generation_run_execute",
    "generation_run_open",
    "invoice_generate",
    "invoice_live_for",
    "invoice_preview",
    "run_chunk_process",
    "run_finish_if_done",
    "run_job_chunks",
    "run_jobs_give_up",
]
