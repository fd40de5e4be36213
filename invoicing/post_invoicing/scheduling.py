"""Record post-invoicing tasks and queue them after commit.

The invoice writer calls `post_invoicing_schedule` inside the generating transaction:
a nightly chunk of 2,000 invoices records all its task rows in a fixed handful of
statements, and their Celery messages leave only once the invoices are committed.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import timedelta
from functools import partial, update_wrapper

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from billing_site.bulk import insert_rows, reserve_ids
from contracts.models import BillingContract
from invoicing import errors
from invoicing.models import Invoice
from invoicing.post_invoicing.models import PostInvoicingTask

Kind = PostInvoicingTask.Kind
Status = PostInvoicingTask.Status

# The contract's flag (and a generation's request key) behind each task.
KIND_BY_FLAG = {"auto_send": Kind.SEND, "auto_charge": Kind.CHARGE, "auto_sync": Kind.SYNC}
# The ledger event an invoice sends when it stops being live.
RETIRED_KIND: dict[str, str] = {
    Invoice.Status.REPLACED: Kind.SYNC_REPLACED,
    Invoice.Status.VOID: Kind.SYNC_VOIDED,
}
TASK_COLUMNS = ("invoice_id", "kind", "status", "attempts", "message", "created_at", "updated_at")
# Most task ids one sweep of stalled tasks queues again.
STALLED_SWEEP_LIMIT = 10_000
# What publishing raises when the broker cannot be reached: kombu wraps the transport's
# connection errors in OperationalError; a socket error can still come through bare.
BROKER_ERRORS = (OperationalError, OSError)
# Publishing after a commit runs inside a request: give up after about a second (a closed
# port fails at once, then two retries 0.5 s apart) and leave the rest to the sweeps.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.5,
    "interval_step": 0,
    "interval_max": 0.5,
}

logger = logging.getLogger(__name__)


def post_invoicing_schedule(
    *,
    invoice_ids: Sequence[int],
    contract_ids: Sequence[int],
    requested: Mapping[str, bool] | None = None,
) -> list[int]:
    """Record and queue the post-invoicing tasks of freshly written invoices.

    `contract_ids[i]` is the contract of `invoice_ids[i]`. `requested` overrides the
    contracts' own auto_send / auto_charge / auto_sync for this generation; a flag it
    leaves out (or None for all) keeps the contract's. An invoice these replace gets
    its own ledger event when accounting had been told about it. Returns the task ids.
    """
    if not invoice_ids:
        return []
    kinds = _kinds_by_contract(contract_ids, requested or {})
    pairs = [
        (invoice_id, kind)
        for invoice_id, contract_id in zip(invoice_ids, contract_ids, strict=True)
        for kind in kinds[contract_id]
    ]
    pairs += _retirement_events(Q(invoice__replaced_by__id__any=list(invoice_ids)))
    return _tasks_insert(pairs)


def post_invoicing_invoices_retired(*, invoice_ids: Collection[int]) -> list[int]:
    """Queue the ledger event (replaced, voided) of invoices that stopped being live.

    Called by the void service; replacement is covered by `post_invoicing_schedule`.
    Safe to call twice: an event already recorded is not recorded again.
    """
    pairs = _retirement_events(Q(invoice_id__in=list(invoice_ids)))
    existing = set(
        PostInvoicingTask.objects.filter(
            invoice_id__in=[invoice_id for invoice_id, _ in pairs],
            kind__in=list(RETIRED_KIND.values()),
        ).values_list("invoice_id", "kind")
    )
    return _tasks_insert([pair for pair in pairs if pair not in existing])


def _kinds_by_contract(
    contract_ids: Sequence[int], requested: Mapping[str, bool]
) -> Mapping[int, tuple[str, ...]]:
    if all(flag in requested for flag in KIND_BY_FLAG):
        # The generation chose every task itself: no need to read the contracts.
        chosen = tuple(kind for flag, kind in KIND_BY_FLAG.items() if requested[flag])
        return dict.fromkeys(contract_ids, chosen)
    rows = BillingContract.objects.filter(pk__any=set(contract_ids)).values_list(
        "id", *KIND_BY_FLAG
    )
    return {
        contract_id: tuple(
            kind
            for (flag, kind), own in zip(KIND_BY_FLAG.items(), flags, strict=True)
            if requested.get(flag, own)
        )
        for contract_id, *flags in rows
    }


def _retirement_events(invoices: Q) -> list[tuple[int, str]]:
    """(invoice id, event kind) of the no-longer-live invoices among these that were synced."""
    rows = (
        PostInvoicingTask.objects.filter(invoices, kind=Kind.SYNC)
        .filter(invoice__status__in=list(RETIRED_KIND))
        .values_list("invoice_id", "invoice__status")
    )
    return [(invoice_id, RETIRED_KIND[status]) for invoice_id, status in rows]


def _tasks_insert(pairs: Sequence[tuple[int, str]]) -> list[int]:
    """Insert pending task rows in one statement and queue them once committed."""
    if not pairs:
        return []
    now = timezone.now()
    rows = [(invoice_id, kind, Status.PENDING, 0, "", now, now) for invoice_id, kind in pairs]
    ids = reserve_ids(PostInvoicingTask, len(rows))
    insert_rows(
        PostInvoicingTask,
        ("id", *TASK_COLUMNS),
        [(task_id, *row) for task_id, row in zip(ids, rows, strict=True)],
    )
    post_tasks_enqueue_on_commit(ids)
    return ids


def post_tasks_enqueue_on_commit(task_ids: Sequence[int]) -> None:
    """Queue the tasks once the current transaction commits (at once outside one).

    A broker that is down must not turn a committed generation into an error: the tasks
    are marked as not queued and the stalled-task sweep queues them again.
    """
    if not task_ids:
        return
    # Robust on_commit logs a failure by the callback's `__qualname__`, which a bare partial
    # lacks (the logging itself would then raise): the partial carries the function's name.
    callback = update_wrapper(
        partial(post_tasks_enqueue, task_ids=list(task_ids)), post_tasks_enqueue
    )
    transaction.on_commit(callback, robust=True)


def post_tasks_enqueue(*, task_ids: Iterable[int]) -> bool:
    """Publish one Celery message per task, over one broker connection; no database query
    unless the broker cannot be reached: then the tasks say so, and it returns False."""
    # Imported here: the tasks module imports the services.
    from invoicing.post_invoicing.tasks import run_post_invoicing_task

    ids = list(task_ids)
    try:
        with run_post_invoicing_task.app.producer_or_acquire() as producer:
            for task_id in ids:
                run_post_invoicing_task.apply_async(
                    (task_id,), producer=producer, retry_policy=PUBLISH_RETRY_POLICY
                )
    except BROKER_ERRORS as error:
        logger.warning("%d post-invoicing task(s) not queued: %s", len(ids), error)
        PostInvoicingTask.objects.filter(pk__in=ids, status=Status.PENDING).update(
            message=errors.POST_TASKS_NOT_QUEUED
        )
        return False
    return True


def post_tasks_not_queued(*, invoice_id: int) -> bool:
    """Whether some of the invoice's tasks wait for the broker to answer (the page says so)."""
    return PostInvoicingTask.objects.filter(
        invoice_id=invoice_id, status=Status.PENDING, message=errors.POST_TASKS_NOT_QUEUED
    ).exists()


def stalled_after() -> timedelta:
    """How long a pending task may go untouched before it counts as lost: longer than
    the longest retry backoff, so a task waiting for its next attempt is never taken."""
    return max(
        timedelta(seconds=2 * settings.POST_INVOICING_RETRY_MAX_SECONDS), timedelta(minutes=15)
    )


@transaction.atomic
def post_tasks_requeue_stalled() -> int:
    """Queue again the pending tasks whose message was lost (broker flushed) or never
    sent (broker down at commit: at once, not after `stalled_after`); returns how many.
    Running them twice is harmless: they are idempotent."""
    now = timezone.now()
    ids = list(
        PostInvoicingTask.objects.filter(status=Status.PENDING)
        .filter(Q(updated_at__lt=now - stalled_after()) | Q(message=errors.POST_TASKS_NOT_QUEUED))
        .order_by("id")
        .values_list("id", flat=True)[:STALLED_SWEEP_LIMIT]
    )
    PostInvoicingTask.objects.filter(pk__in=ids).update(updated_at=now)
    # Sent again: no longer "not queued" (the hook marks them again if the broker is still down).
    PostInvoicingTask.objects.filter(pk__in=ids, message=errors.POST_TASKS_NOT_QUEUED).update(
        message=""
    )
    post_tasks_enqueue_on_commit(ids)
    return len(ids)
