"""Celery tasks: ids and ISO dates in, one service call, a retry policy. Nothing else."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from invoicing.models import Door, GenerationRun
from invoicing.services import (
    generation_run_open,
    run_chunk_process,
    run_finish_if_done,
    run_job_chunks,
    run_jobs_give_up,
)
from invoicing.services.runs import LOCK_RETRY_SECONDS, MAX_LOCK_ATTEMPTS


@shared_task(acks_late=True)
def generate_due_invoices(as_of: str | None = None) -> int:
    """The nightly job: open (or find) tonight's run and fan its jobs out in chunks.

    Safe to deliver twice: the run is unique per open night, and chunks only touch
    jobs and schedules still open.
    """
    as_of_date = date.fromisoformat(as_of) if as_of else timezone.localdate()
    run = generation_run_open(as_of=as_of_date, trigger=Door.NIGHTLY)
    run_chunks_enqueue(run)
    return run.pk


def run_chunks_enqueue(run: GenerationRun) -> None:
    for first, last in run_job_chunks(run):
        generate_run_chunk.delay(run.pk, first, last)


@shared_task(bind=True, acks_late=True, max_retries=MAX_LOCK_ATTEMPTS)
def generate_run_chunk(self, run_id: int, first_job_id: int, last_job_id: int) -> None:
    """Generate one chunk of a run; contracts held by another worker are retried."""
    locked = run_chunk_process(run_id=run_id, first_job_id=first_job_id, last_job_id=last_job_id)
    if locked:
        if self.request.retries < self.max_retries:
            raise self.retry(countdown=LOCK_RETRY_SECONDS * 2**self.request.retries)
        run_jobs_give_up(run_id=run_id, first_job_id=first_job_id, last_job_id=last_job_id)
    run_finish_if_done(GenerationRun.objects.get(pk=run_id))


# Celery autodiscovers <app>.tasks only: this registers the post-invoicing tasks.
import invoicing.post_invoicing.tasks  # noqa: E402,F401
