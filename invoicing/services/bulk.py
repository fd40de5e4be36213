"""Bulk generation: a selection of contracts, one run, its jobs processed by workers.

Proceed writes the run and one queued job per contract in one transaction and returns;
the workers do the rest through `run_chunk_process`. Retry and resume re-queue only
what is still open, and are harmless to repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from billing_site.actors import Actor, recorded_actor
from billing_site.bulk import insert_rows
from contracts.models import BillingContract
from invoicing import errors
from invoicing.errors import BulkError
from invoicing.models import AuditEvent, Door, GenerationJob, GenerationRun
from invoicing.post_invoicing.scheduling import BROKER_ERRORS
from invoicing.selectors.bulk import bulk_would_replace_any
from invoicing.selectors.runs import QUEUE_HOLDER, run_attention
from invoicing.services.audit import audit_record
from invoicing.services.generation import replace_permission_check
from invoicing.services.runs import post_tasks_parameter, process_name

logger = logging.getLogger(__name__)


def bulk_selection_validate(
    contract_ids: Collection[int], shown_count: int | None = None
) -> list[int]:
    """The selection's ids; BulkError for an empty one, ids that are not contracts, or a
    selection that no longer has the `shown_count` contracts the person saw and confirmed."""
    ids = sorted(set(contract_ids))
    if shown_count is not None and len(ids) != shown_count:
        raise BulkError(errors.BULK_SELECTION_CHANGED.format(count=len(ids), shown=shown_count))
    if not ids:
        raise BulkError(errors.BULK_EMPTY_SELECTION)
    found = set(BillingContract.objects.filter(pk__any=ids).values_list("id", flat=True))
    if missing := len(ids) - len(found):
        raise BulkError(errors.BULK_UNKNOWN_CONTRACTS.format(count=missing))
    return ids


@transaction.atomic
def bulk_run_start(
    *,
    contract_ids: Collection[int],
    cycle_date: date,
    replace: bool = False,
    replace_confirmed: bool = False,
    post_tasks: Mapping[str, bool] | None = None,
    shown_count: int | None = None,
    user: Actor = None,
    as_of: date | None = None,
    enqueue: bool = True,
) -> GenerationRun:
    """Open a bulk run billing each contract's cycle at `cycle_date`; queue it on commit.
    Replacing issued invoices needs `replace_confirmed` when there is one to replace."""
    replace_permission_check(user=user, replace=replace)
    ids = bulk_selection_validate(contract_ids, shown_count)
    if not _any_billable_at(ids, cycle_date):
        raise BulkError(errors.BULK_NO_CYCLE_AT_DATE.format(day=cycle_date))
    if replace and not replace_confirmed and bulk_would_replace_any(ids, cycle_date):
        raise BulkError(errors.REPLACE_NEEDS_CONFIRMATION)
    parameters = {"cycle_date": cycle_date.isoformat(), "replace": replace, "contracts": len(ids)}
    if post_tasks is not None:
        parameters["post_tasks"] = post_tasks_parameter(post_tasks)
    detail = f"{len(ids)} contracts, cycle at {cycle_date}"
    return bulk_run_open(ids, parameters, user=user, as_of=as_of, enqueue=enqueue, detail=detail)


@transaction.atomic
def bulk_change_log_run_start(
    *,
    contract_ids: Collection[int],
    period_start: date,
    period_end: date,
    post_tasks: Mapping[str, bool] | None = None,
    shown_count: int | None = None,
    user: Actor = None,
    as_of: date | None = None,
    enqueue: bool = True,
) -> GenerationRun:
    """Open a bulk run billing each contract's unbilled changes of the period.
    `post_tasks` overrides the contracts' Auto-Send/Charge/Sync for its invoices."""
    ids = bulk_selection_validate(contract_ids, shown_count)
    if period_end < period_start:
        raise BulkError(errors.PERIOD_REVERSED.format(start=period_start, end=period_end))
    parameters: dict[str, Any] = {
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "contracts": len(ids),
    }
    if post_tasks is not None:
        parameters["post_tasks"] = post_tasks_parameter(post_tasks)
    detail = f"{len(ids)} contracts, change log {period_start} to {period_end}"
    return bulk_run_open(ids, parameters, user=user, as_of=as_of, enqueue=enqueue, detail=detail)


def bulk_run_open(
    ids: list[int],
    parameters: dict[str, Any],
    *,
    user: Actor,
    as_of: date | None,
    enqueue: bool,
    detail: str,
) -> GenerationRun:
    """Open a bulk-door run with a queued job per contract, audited; queue it on commit."""
    run = GenerationRun.objects.create(
        trigger=Door.BULK,
        as_of_date=as_of or timezone.localdate(),
        parameters=parameters,
        requested_by=recorded_actor(user),
        status=GenerationRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    insert_rows(
        GenerationJob,
        ("run_id", "contract_id", "status", "message", "invoice_count", "attempts"),
        [(run.pk, cid, GenerationJob.Status.QUEUED, "", 0, 0) for cid in ids],
    )
    _audit(run, user, AuditEvent.Action.RUN_STARTED, detail)
    if enqueue:
        run_enqueue_on_commit(run)
    return run


@transaction.atomic
def run_retry_failed(*, run: GenerationRun, user: Actor = None) -> int:
    """Queue the run's failed jobs again; returns how many."""
    count = run.jobs.filter(status=GenerationJob.Status.FAILED).update(
        status=GenerationJob.Status.QUEUED, message="", finished_at=None
    )
    if count:
        GenerationRun.objects.filter(pk=run.pk).update(
            status=GenerationRun.Status.RUNNING, finished_at=None
        )
        _audit(run, user, AuditEvent.Action.RUN_RETRIED, f"{count} failed jobs queued again")
        run_enqueue_on_commit(run)
    return count


@transaction.atomic
def run_resume(*, run: GenerationRun, user: Actor = None) -> None:
    """Queue again the open jobs of a run no live process holds (never queued, interrupted,
    stalled). Safe even if a worker is still on one: schedules are claimed under row locks,
    so nothing is generated twice. A run that picked up again since the page was shown is
    refused."""
    run_take_over(run=run, user=user, door=Door.BULK)
    run_enqueue_on_commit(run)


@transaction.atomic
def run_take_over(*, run: GenerationRun, user: Actor, door: str) -> int:
    """Take the lease of a run no live process holds, its running jobs queued again, and
    audit it; returns how many were running. BulkError if a process holds it (again)."""
    # Locked: two takers (Resume clicked twice, the sweep and the nightly run) take turns,
    # and the second finds the lease renewed by the first.
    locked = GenerationRun.objects.select_for_update().get(pk=run.pk)
    why = run_attention(locked)
    if not why:
        raise BulkError(errors.RUN_NOT_STALLED)
    GenerationRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now(), heartbeat_by=process_name()
    )
    resumed = run.jobs.filter(status=GenerationJob.Status.RUNNING).update(
        status=GenerationJob.Status.QUEUED
    )
    detail = f"{why.replace('_', ' ')} run resumed ({resumed} running)"
    audit_record(user=user, door=door, action=AuditEvent.Action.RUN_RESUMED, run=run, detail=detail)
    return resumed


def runs_left_behind_take_over(*, door: str, user: Actor = None) -> list[GenerationRun]:
    """Take every run no live process holds (never queued, or its lease lapsed), each
    audited; the caller works them (the command) or queues them (beat, the nightly task)."""
    taken = []
    for run in GenerationRun.objects.left_behind(timezone.now()).order_by("id"):
        try:
            run_take_over(run=run, user=user, door=door)
        except BulkError:
            continue  # another process took it first
        taken.append(run)
    return taken


def runs_requeue_left_behind() -> int:
    """Queue again every run no live process holds; returns how many (the beat sweep)."""
    runs = runs_left_behind_take_over(door=Door.NIGHTLY)
    for run in runs:
        run_enqueue(run_id=run.pk)
    return len(runs)


def run_enqueue_on_commit(run: GenerationRun) -> None:
    """Send the run's open chunks to the workers once this transaction commits."""
    run_id = run.pk

    # A named function: Django logs a failing hook by its `__qualname__`.
    def run_enqueue_after_commit() -> None:
        run_enqueue(run_id=run_id)

    transaction.on_commit(run_enqueue_after_commit)


def run_enqueue(*, run_id: int) -> bool:
    """Send the run's open chunks to the workers; never raises for an unreachable broker:
    the run is marked not queued (its page says so, Resume is offered, the sweep retries)."""
    from invoicing.tasks import run_chunks_enqueue  # tasks import services: import late

    run = GenerationRun.objects.get(pk=run_id)
    queued_at = timezone.now()
    runs = GenerationRun.objects.filter(pk=run_id)
    try:
        run_chunks_enqueue(run)
    except BROKER_ERRORS as error:
        logger.warning("Run #%s not queued, the broker is unreachable: %s", run_id, error)
        runs.update(enqueue_failed_at=queued_at)
        return False
    runs.filter(enqueue_failed_at__isnull=False).update(enqueue_failed_at=None)
    # The lease passes to the queue, unless a worker already took a chunk and renewed it.
    runs.filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=queued_at)).update(
        heartbeat_at=queued_at, heartbeat_by=QUEUE_HOLDER
    )
    return True


def _any_billable_at(contract_ids: list[int], day: date) -> bool:
    """Whether one of these contracts is active with a cycle on `day` (one EXISTS query:
    Proceed must not compute 100,000 cycles just to refuse an empty request)."""
    return (
        BillingContract.objects.active()
        .filter(pk__any=contract_ids, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .exists()
    )


def _audit(run: GenerationRun, user: Actor, action: str, detail: str) -> None:
    audit_record(user=user, door=Door.BULK, action=action, run=run, detail=detail)
