"""The invoicing services: every door (views, admin, tasks, commands) calls these."""

from invoicing.services.generation import invoice_generate
from invoicing.services.runs import (
    generation_run_execute,
    generation_run_open,
    run_chunk_process,
    run_finish_if_done,
    run_job_chunks,
    run_jobs_give_up,
)

__all__ = [
    "generation_run_execute",
    "generation_run_open",
    "invoice_generate",
    "run_chunk_process",
    "run_finish_if_done",
    "run_job_chunks",
    "run_jobs_give_up",
]
