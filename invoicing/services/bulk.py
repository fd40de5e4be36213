"""Bulk generation: a selection of contracts, one run, its jobs processed by workers.

Proceed writes the run and one queued job per contract in one transaction and returns;
the workers do the rest through `run_chunk_process`. Retry and resume re-queue only
what is still open, and are harmless to repeat.
"""

from __future__ import annotations

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
from invoicing.selectors.bulk import bulk_would_replace_any
from invoicing.selectors.runs import run_is_stalled
from invoicing.services.audit import audit_record
from invoicing.services.generation import replace_permission_check
from invoicing.services.runs import post_tasks_parameter


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
    return _run_open(ids, parameters, user=user, as_of=as_of, enqueue=enqueue, detail=detail)


@transaction.atomic
def bulk_change_log_run_start(
    *,
    contract_ids: Collection[int],
    period_start: date,
    period_end: date,
    shown_count: int | None = None,
    user: Actor = None,
    as_of: date | None = None,
    enqueue: bool = True,
) -> GenerationRun:
    """Open a bulk run billing each contract's unbilled changes of the period."""
    ids = bulk_selection_validate(contract_ids, shown_count)
    if period_end < period_start:
        raise BulkError(errors.PERIOD_REVERSED.format(start=period_start, end=period_end))
    parameters = {
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "contracts": len(ids),
    }
    detail = f"{len(ids)} contracts, change log {period_start} to {period_end}"
    return _run_open(ids, parameters, user=user, as_of=as_of, enqueue=enqueue, detail=detail)


def _run_open(
    ids: list[int],
    parameters: dict[str, Any],
    *,
    user: Actor,
    as_of: date | None,
    enqueue: bool,
    detail: str,
) -> GenerationRun:
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
    """Queue a stalled run's open jobs again. Safe even if a worker is still on one:
    schedules are claimed under row locks, so nothing is generated twice. A run that is
    not stalled (it picked up again since the page was shown) is refused."""
    if not run_is_stalled(run):
        raise BulkError(errors.RUN_NOT_STALLED)
    resumed = run.jobs.filter(status=GenerationJob.Status.RUNNING).update(
        status=GenerationJob.Status.QUEUED
    )
    _audit(run, user, AuditEvent.Action.RUN_RESUMED, f"stalled run resumed ({resumed} running)")
    run_enqueue_on_commit(run)


def run_enqueue_on_commit(run: GenerationRun) -> None:
    """Send the run's open chunks to the workers once this transaction commits."""
    from invoicing.tasks import run_chunks_enqueue  # tasks import services: import late

    transaction.on_commit(lambda: run_chunks_enqueue(run))


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
