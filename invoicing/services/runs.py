"""Generation runs: open a run with a job per contract, process its jobs in chunks, close it.

The nightly task, the command line and the bulk window all go through here.
Every step is idempotent: a chunk delivered twice, or a run started twice for the same
night, writes nothing the second time.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from billing_site.actors import Actor, recorded_actor
from billing_site.gc_pause import gc_paused
from contracts.models import POST_TASKS, BillingContract, BillingSettings, ContractChange
from invoicing import errors
from invoicing.models import Door, GenerationJob, GenerationRun
from invoicing.post_invoicing.publishing import run_finished_publish
from invoicing.services.batches import BatchOutcome, batch_generate, batch_generate_cycles
from invoicing.services.change_log import batch_generate_change_log
from invoicing.services.jobs import jobs_record
from invoicing.services.writing import Provenance
from schedules.models import BillingSchedule
from schedules.services import schedules_keep_ahead

# A contract whose schedules another worker holds is tried again this many times.
MAX_LOCK_ATTEMPTS = 5
LOCK_RETRY_SECONDS = 0.5


def post_tasks_parameter(post_tasks: Mapping[str, bool]) -> dict[str, bool]:
    """A run's choice of post-invoicing tasks, for every task, overriding the contracts'."""
    return {task: bool(post_tasks.get(task)) for task in POST_TASKS}


def generation_run_open(
    *,
    as_of: date,
    trigger: str = Door.NIGHTLY,
    contract_ids: Collection[int] | None = None,
    post_tasks: Mapping[str, bool] | None = None,
    user: Actor = None,
) -> GenerationRun:
    """Keep schedules ahead, then open a run with a queued job per contract with
    something due. A second nightly run for a night whose run is still open returns
    that run instead. `post_tasks` overrides the contracts' Auto-Send/Charge/Sync."""
    parameters: dict[str, Any] = {"as_of": as_of.isoformat()}
    if contract_ids is not None:
        parameters["contracts"] = len(contract_ids)
    if post_tasks is not None:
        parameters["post_tasks"] = post_tasks_parameter(post_tasks)
    try:
        with transaction.atomic():
            run = GenerationRun.objects.create(
                trigger=trigger,
                as_of_date=as_of,
                parameters=parameters,
                requested_by=recorded_actor(user),
                status=GenerationRun.Status.RUNNING,
                started_at=timezone.now(),
                # This process holds the run while it keeps schedules ahead and writes jobs.
                heartbeat_at=timezone.now(),
                heartbeat_by=process_name(),
            )
    except IntegrityError:
        return GenerationRun.objects.get(
            trigger=Door.NIGHTLY, as_of_date=as_of, status__in=GenerationRun.OPEN_STATUSES
        )
    with gc_paused():  # its rows are plain tuples, as a chunk's are
        schedules_keep_ahead(as_of=as_of, contract_ids=contract_ids)
    due = BillingSchedule.objects.due(as_of)
    if contract_ids is not None:
        due = due.filter(contract__id__any=list(contract_ids))
    selections = [due.values_list("contract_id")]
    if BillingSettings.load().change_log_nightly:
        until = as_of - timedelta(days=1)
        run.parameters["change_log_until"] = until.isoformat()
        run.save(update_fields=["parameters"])
        selections.append(_contracts_with_unbilled_changes(until, contract_ids))
    _jobs_queue(run, selections)
    run_finish_if_done(run)
    return run


def _jobs_queue(run: GenerationRun, selections: Sequence[QuerySet[Any, Any]]) -> None:
    """A queued job for each contract any selection (of contract ids) names, in contract
    order, in one INSERT ... SELECT: the ids never travel through this process, whose memory
    then stays flat however large the book (a million contracts held ~150 MB here)."""
    parts: list[str] = []
    params: list[Any] = []
    for selection in selections:
        sql, selection_params = selection.query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(selection_params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {GenerationJob._meta.db_table} "
            "(run_id, contract_id, status, message, invoice_count, attempts) "
            f"SELECT DISTINCT %s, due.contract_id, %s, '', 0, 0 "
            f"FROM ({' UNION ALL '.join(parts)}) AS due (contract_id) ORDER BY due.contract_id",
            [run.pk, GenerationJob.Status.QUEUED, *params],
        )


def run_job_chunks(run: GenerationRun, size: int | None = None) -> Iterator[tuple[int, int]]:
    """(first, last) job ids of each chunk of the run's open jobs."""
    size = size or settings.BILLING_GENERATION_CHUNK_SIZE
    open_jobs, params = run.jobs.open().values_list("id").query.sql_with_params()
    # Cut in PostgreSQL: the bounds only, never the run's million job ids, reach this process.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id) FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s "
            f"AS chunk FROM ({open_jobs}) AS open_jobs (id)) AS numbered "
            "GROUP BY chunk ORDER BY chunk",
            [size, *params],
        )
        bounds = cursor.fetchall()
    yield from bounds


def run_chunk_process(*, run_id: int, first_job_id: int, last_job_id: int) -> int:
    """Generate the invoices of the open jobs in this id range; returns how many jobs
    are left open because another worker holds their schedules."""
    run_heartbeat(run_id)
    run = GenerationRun.objects.get(pk=run_id)
    chunk = run.jobs.filter(id__gte=first_job_id, id__lte=last_job_id)
    # Shown as running on the progress page while the chunk's transaction works.
    chunk.filter(status=GenerationJob.Status.QUEUED).update(
        status=GenerationJob.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    with gc_paused(), transaction.atomic():
        jobs = dict(
            chunk.open().select_for_update(skip_locked=True).values_list("contract_id", "id")
        )
        if not jobs:
            return 0
        outcome = _batch_for(run, jobs)
        jobs_record(jobs=jobs, outcome=outcome)
    return len(outcome.locked)


def process_name() -> str:
    """Who holds a run, as the run page shows it: this machine and process."""
    return f"{socket.gethostname()} pid {os.getpid()}"[:100]


def run_heartbeat(run_id: int) -> None:
    """Renew this process's lease on the run: one UPDATE per chunk, not per invoice."""
    GenerationRun.objects.filter(pk=run_id).update(
        heartbeat_at=timezone.now(), heartbeat_by=process_name()
    )


def _batch_for(run: GenerationRun, jobs: dict[int, int]) -> BatchOutcome:
    """The run's own selection: due schedules (nightly, command), each contract's cycle
    at a date (bulk, regular) or its unbilled changes of a period (bulk, change log)."""
    parameters = run.parameters
    provenance = Provenance(
        door=run.trigger,
        user_id=run.requested_by_id,
        job_ids=jobs,
        post_tasks=parameters.get("post_tasks"),
    )
    if "period_start" in parameters:
        return batch_generate_change_log(
            jobs.keys(),
            period_start=date.fromisoformat(parameters["period_start"]),
            period_end=date.fromisoformat(parameters["period_end"]),
            as_of=run.as_of_date,
            provenance=provenance,
        )
    if "cycle_date" in parameters:
        return batch_generate_cycles(
            jobs.keys(),
            cycle_date=date.fromisoformat(parameters["cycle_date"]),
            as_of=run.as_of_date,
            provenance=provenance,
            replace=parameters.get("replace", False),
        )
    outcome = batch_generate(jobs.keys(), as_of=run.as_of_date, provenance=provenance)
    if "change_log_until" in parameters:
        changes = batch_generate_change_log(
            jobs.keys(),
            period_start=date.min,
            period_end=date.fromisoformat(parameters["change_log_until"]),
            as_of=run.as_of_date,
            provenance=provenance,
        )
        outcome = _merged(outcome, changes)
    return outcome


def _merged(regular: BatchOutcome, change_log: BatchOutcome) -> BatchOutcome:
    """One contract's night: its regular invoices and its change-log invoice together."""
    merged = BatchOutcome(locked=regular.locked)
    for source in (regular, change_log):
        for contract_id, invoice_ids in source.invoices.items():
            merged.invoices[contract_id].extend(invoice_ids)
        for contract_id, note_ids in source.credit_notes.items():
            merged.credit_notes[contract_id].extend(note_ids)
        for contract_id, notes in source.notes.items():
            merged.notes[contract_id].extend(notes)
        merged.failed.update(source.failed)
    merged.skipped = {
        contract_id: reason
        for contract_id, reason in regular.skipped.items()
        if contract_id not in merged.invoices
        and contract_id not in merged.credit_notes
        and contract_id not in merged.failed
    }
    return merged


def _contracts_with_unbilled_changes(
    until: date, contract_ids: Collection[int] | None
) -> QuerySet[Any, Any]:
    """The contract ids (one column) of the active contracts with changes not billed yet
    (a change after its contract's end is never billed: no job for it every night)."""
    changes = ContractChange.objects.not_after_contract_end().filter(
        billed_invoice__isnull=True,
        effective_date__lte=until,
        line__contract__status=BillingContract.Status.ACTIVE,
    )
    if contract_ids is not None:
        changes = changes.filter(line__contract__id__any=list(contract_ids))
    return changes.values_list("line__contract_id")


def run_jobs_give_up(*, run_id: int, first_job_id: int, last_job_id: int) -> None:
    """Fail the jobs still open after their retries: never leave one silently queued."""
    GenerationJob.objects.open().filter(
        run_id=run_id, id__gte=first_job_id, id__lte=last_job_id
    ).update(
        status=GenerationJob.Status.FAILED,
        message=errors.LOCKED_TOO_LONG,
        finished_at=timezone.now(),
    )


def run_finish_if_done(run: GenerationRun) -> bool:
    """Close the run once none of its jobs is open."""
    if run.jobs.open().exists():
        return False
    with transaction.atomic():
        finished = GenerationRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            status=GenerationRun.Status.FINISHED, finished_at=timezone.now()
        )
        run.refresh_from_db()
        if finished:  # only the process that closed it tells the webhooks
            run_finished_publish(run=run)
    return True


def generation_run_execute(
    run: GenerationRun, *, progress: Callable[[int, int], None] | None = None
) -> GenerationRun:
    """Process a run in this process, chunk after chunk (the command line's door)."""
    total = run.jobs.count()
    chunks = list(run_job_chunks(run))
    for attempt in range(MAX_LOCK_ATTEMPTS):
        retry = []
        for first, last in chunks:
            if run_chunk_process(run_id=run.pk, first_job_id=first, last_job_id=last):
                retry.append((first, last))
            if progress:
                progress(total - run.jobs.open().count(), total)
        if not retry:
            break
        chunks = retry
        time.sleep(LOCK_RETRY_SECONDS * 2**attempt)
    else:
        for first, last in chunks:
            run_jobs_give_up(run_id=run.pk, first_job_id=first, last_job_id=last)
    run_finish_if_done(run)
    return run


def contracts_for_generation(numbers: Collection[str]) -> list[int]:
    """Ids of these contract numbers; ValueError naming unknown or inactive ones."""
    found = {
        number: (pk, status)
        for number, pk, status in BillingContract.objects.filter(number__in=numbers).values_list(
            "number", "id", "status"
        )
    }
    unknown = sorted(set(numbers) - found.keys())
    if unknown:
        raise ValueError(f"Unknown contract number(s): {', '.join(unknown)}.")
    inactive = sorted(
        n for n, (_, status) in found.items() if status != BillingContract.Status.ACTIVE
    )
    if inactive:
        raise ValueError(f"Only active contracts are invoiced; not active: {', '.join(inactive)}.")
    return [pk for pk, _ in found.values()]
