"""Celery tasks: ids and ISO dates in, one service call, a retry policy. Nothing else."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from invoicing.models import Door, GenerationRun
from invoicing.post_invoicing.scheduling import PUBLISH_RETRY_POLICY
from invoicing.services import (
    generation_run_open,
    run_chunk_process,
    run_finish_if_done,
    run_job_chunks,
    run_jobs_give_up,
)
from invoicing.services.bulk import (
    run_enqueue,
    runs_left_behind_take_over,
    runs_requeue_left_behind,
)
from invoicing.services.forecast import forecast_refresh
from invoicing.services.runs import LOCK_RETRY_SECONDS, MAX_LOCK_ATTEMPTS
from invoicing.services.totals import invoice_totals_compact


@shared_task(acks_late=True)
def generate_due_invoices(as_of: str | None = None) -> int:
    """The nightly job: open (or find) tonight's run and fan its jobs out in chunks.

    Safe to deliver twice: the run is unique per open night, and chunks only touch
    jobs and schedules still open. Runs left behind (never queued, or whose process died)
    are queued again first, so the night finishes them.
    """
    for left in runs_left_behind_take_over(door=Door.NIGHTLY):
        run_enqueue(run_id=left.pk)
    as_of_date = date.fromisoformat(as_of) if as_of else timezone.localdate()
    run = generation_run_open(as_of=as_of_date, trigger=Door.NIGHTLY)
    run_enqueue(run_id=run.pk)
    return run.pk


@shared_task(acks_late=True)
def requeue_left_behind_runs() -> int:
    """Beat: queue again the runs no live process holds (never queued, lease lapsed)."""
    return runs_requeue_left_behind()


def run_chunks_enqueue(run: GenerationRun) -> None:
    """One message per chunk of the run's open jobs, over one broker connection; raises the
    broker's error when it cannot be reached (the caller marks the run not queued)."""
    with generate_run_chunk.app.producer_or_acquire() as producer:
        for first, last in run_job_chunks(run):
            generate_run_chunk.apply_async(
                (run.pk, first, last), producer=producer, retry_policy=PUBLISH_RETRY_POLICY
            )


@shared_task(bind=True, acks_late=True, max_retries=MAX_LOCK_ATTEMPTS)
def generate_run_chunk(self, run_id: int, first_job_id: int, last_job_id: int) -> None:
    """Generate one chunk of a run; contracts held by another worker are retried."""
    locked = run_chunk_process(run_id=run_id, first_job_id=first_job_id, last_job_id=last_job_id)
    if locked:
        if self.request.retries < self.max_retries:
            raise self.retry(countdown=LOCK_RETRY_SECONDS * 2**self.request.retries)
        run_jobs_give_up(run_id=run_id, first_job_id=first_job_id, last_job_id=last_job_id)
    run = GenerationRun.objects.get(pk=run_id)
    if run_finish_if_done(run) and run.trigger == Door.NIGHTLY:
        warm_forecast.delay()  # the night's invoices changed what is left to forecast
        compact_invoice_totals.delay()


@shared_task(acks_late=True)
def warm_forecast() -> int:
    """Draft what the writes changed into the kept forecast after the nightly run, and from
    beat early every day (with the month ahead as a new one begins), so the first person
    to open it finds nothing to draft. Returns the contracts drafted."""
    refreshed = forecast_refresh(today=timezone.localdate(), warm_up=True)
    return refreshed.drafted + refreshed.extended


@shared_task(acks_late=True)
def compact_invoice_totals() -> int:
    """Fold the day's rows of the kept invoice totals into one per group, so the invoice
    list keeps summing a few thousand rows however many invoices were written."""
    return invoice_totals_compact()


# Celery autodiscovers <app>.tasks only: this registers the post-invoicing tasks.
import invoicing.post_invoicing.tasks  # noqa: E402,F401
