"""Record post-invoicing tasks and queue them after commit.

The invoice writer calls `post_invoicing_schedule` inside the generating transaction:
a nightly chunk of 2,000 invoices records all its task rows in a fixed handful of
statements, and their Celery messages leave only once the invoices are committed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from billing_site.bulk import insert_rows, reserve_ids
from contracts.models import BillingContract
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
    pairs += _retirement_events(Q(invoice__replaced_by__in=list(invoice_ids)))
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
    rows = BillingContract.objects.filter(pk__in=set(contract_ids)).values_list("id", *KIND_BY_FLAG)
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

    Robust: a broker that is down must not turn a committed generation into an error;
    the stalled-task sweep queues the tasks again later.
    """
    if task_ids:
        transaction.on_commit(partial(post_tasks_enqueue, task_ids=list(task_ids)), robust=True)


def post_tasks_enqueue(*, task_ids: Iterable[int]) -> None:
    """Publish one Celery message per task, over one broker connection. No database query."""
    # Imported here: the tasks module imports the services.
    from invoicing.post_invoicing.tasks import run_post_invoicing_task

    with run_post_invoicing_task.app.producer_or_acquire() as producer:
        for task_id in task_ids:
            run_post_invoicing_task.apply_async((task_id,), producer=producer)


def stalled_after() -> timedelta:
    """How long a pending task may go untouched before it counts as lost: longer than
    the longest retry backoff, so a task waiting for its next attempt is never taken."""
    return max(
        timedelta(seconds=2 * settings.POST_INVOICING_RETRY_MAX_SECONDS), timedelta(minutes=15)
    )


@transaction.atomic
def post_tasks_requeue_stalled() -> int:
    """Queue again the pending tasks whose message was lost (broker down at commit,
    broker flushed); returns how many. Running them twice is harmless: they are idempotent."""
    now = timezone.now()
    ids = list(
        PostInvoicingTask.objects.filter(
            status=Status.PENDING, updated_at__lt=now - stalled_after()
        )
        .order_by("id")
        .values_list("id", flat=True)[:STALLED_SWEEP_LIMIT]
    )
    PostInvoicingTask.objects.filter(pk__in=ids).update(updated_at=now)
    post_tasks_enqueue_on_commit(ids)
    return len(ids)
