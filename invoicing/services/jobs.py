"""Recording what each job of a chunk came to, in as few statements as outcomes."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.utils import timezone

from billing_site.bulk import Row, update_rows
from invoicing import errors
from invoicing.models import GenerationJob
from invoicing.services.batches import BatchOutcome

JOB_COLUMNS = ("id", "status", "message", "invoice_count", "finished_at")
# Up to this many distinct outcomes a chunk is recorded with one UPDATE ... WHERE id =
# ANY(ids) each (the usual night has one: "1 invoice generated."), which spares staging
# every row (30,000 jobs: about 0.5 -> 0.3 CPU s); past it, one staged UPDATE for all.
GROUPED_OUTCOMES_MAX = 8


def jobs_record(*, jobs: dict[int, int], outcome: BatchOutcome) -> None:
    """Store each job's (contract id -> job id) status, message and document count."""
    rows = _job_rows(jobs, outcome, timezone.now())
    by_outcome: dict[tuple[str, str, int, datetime | None], list[int]] = defaultdict(list)
    for job_id, status, message, count, finished_at in rows:
        by_outcome[(status, message, count, finished_at)].append(job_id)
    if len(by_outcome) > GROUPED_OUTCOMES_MAX:
        update_rows(GenerationJob, JOB_COLUMNS, rows)
        return
    for (status, message, count, finished_at), job_ids in by_outcome.items():
        GenerationJob.objects.filter(id__any=job_ids).update(
            status=status, message=message, invoice_count=count, finished_at=finished_at
        )


def _job_rows(jobs: dict[int, int], outcome: BatchOutcome, now: datetime) -> list[Row]:
    S = GenerationJob.Status
    rows: list[Row] = []
    for contract_id, job_id in jobs.items():
        if contract_id in outcome.failed:
            status, message, count = S.FAILED, outcome.failed[contract_id], 0
        elif outcome.invoices.get(contract_id) or outcome.credit_notes.get(contract_id):
            invoices = len(outcome.invoices.get(contract_id, ()))
            credit_notes = len(outcome.credit_notes.get(contract_id, ()))
            count = invoices + credit_notes
            notes = [f"{note[:1].upper()}{note[1:]}." for note in outcome.notes[contract_id]]
            message = " ".join([documents_generated(invoices, credit_notes), *notes])
            status = S.SUCCEEDED
        elif contract_id in outcome.locked:
            rows.append((job_id, S.QUEUED, errors.LOCKED_RETRYING, 0, None))
            continue
        else:
            status, message, count = S.SKIPPED, outcome.skipped[contract_id], 0
        rows.append((job_id, status, message, count, now))
    return rows


def documents_generated(invoices: int, credit_notes: int) -> str:
    """What a job wrote, as its row says it: "1 invoice and 1 credit note generated."."""
    parts = [
        f"{count} {word}{'s' if count > 1 else ''}"
        for count, word in ((invoices, "invoice"), (credit_notes, "credit note"))
        if count
    ]
    return f"{' and '.join(parts)} generated."
