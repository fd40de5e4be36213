"""Keeping billing schedules ahead, re-dating, cancelling them and setting aside the cycles
with nothing to bill. Set-based throughout."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from billing_site.bulk import IDS_PER_STATEMENT, Row, chunked, insert_rows
from contracts.models import BillingContract, BillingSettings
from schedules import cycles
from schedules.models import BillingSchedule

# Schedules written per statement while keeping ahead: the run holds one batch of rows at
# a time, so its memory does not grow with the book (all at once: ~40 MB per 100,000).
KEEP_AHEAD_BATCH = 10_000
SCHEDULE_COLUMNS = (
    "contract_id",
    "cycle_index",
    "period_start",
    "period_end",
    "next_invoice_date",
    "invoice_date",
    "status",
    "created_at",
    "updated_at",
)


def schedules_to_add(
    *,
    start: date,
    frequency: str,
    timing: str,
    offset_days: int,
    end_date: date | None,
    last_index: int | None,
    future_pending: int,
    as_of: date,
    ahead: int,
) -> list[cycles.Cycle]:
    """Cycles a contract must still schedule: every cycle up to the current one, and
    enough after it that `ahead` Pending schedules lie beyond `as_of`."""
    index = 0 if last_index is None else last_index + 1
    wanted: list[cycles.Cycle] = []
    while True:
        first_day = cycles.cycle_start(start, frequency, index)
        if (end_date is not None and first_day > end_date) or (
            first_day > as_of and future_pending >= ahead
        ):
            return wanted
        cycle = cycles.cycle_at(start, frequency, index, end_date)
        wanted.append(cycle)
        if cycles.invoice_date(cycle, timing, offset_days) > as_of:
            future_pending += 1
        index += 1


def schedules_keep_ahead(*, as_of: date, contract_ids: Iterable[int] | None = None) -> int:
    """Give every active contract its Pending schedules up to `ahead` beyond `as_of`.

    Returns how many schedules were created. Safe to run concurrently: a schedule
    another process created first is skipped by the (contract, cycle) unique key.
    """
    ahead = BillingSettings.load().schedules_ahead
    contracts = BillingContract.objects.active()
    if contract_ids is not None:
        contracts = contracts.filter(pk__any=list(contract_ids))
    stats = contracts.annotate(
        last_index=Max("schedules__cycle_index"),
        last_end=Max("schedules__period_end"),
        future_pending=Count(
            "schedules",
            filter=Q(schedules__status=BillingSchedule.Status.PENDING)
            & Q(schedules__invoice_date__gt=as_of),
        ),
        pending=Count("schedules", filter=Q(schedules__status=BillingSchedule.Status.PENDING)),
    ).filter(
        # Only contracts short of schedules need the cycle arithmetic below.
        Q(last_index__isnull=True) | Q(future_pending__lt=ahead) | Q(last_end__lt=as_of)
    )
    now = timezone.now()
    rows: list[Row] = []
    touched: list[int] = []
    added_count = 0
    fields = (
        "id",
        "start_date",
        "billing_frequency",
        "billing_timing",
        "invoice_offset_days",
        "end_date",
        "last_index",
        "future_pending",
        "pending",
    )
    for (
        cid,
        start,
        frequency,
        timing,
        offset,
        end_date,
        last_index,
        future,
        pending,
    ) in stats.values_list(*fields).iterator(chunk_size=KEEP_AHEAD_BATCH):
        added = schedules_to_add(
            start=start,
            frequency=frequency,
            timing=timing,
            offset_days=offset,
            end_date=end_date,
            last_index=last_index,
            future_pending=future,
            as_of=as_of,
            ahead=ahead,
        )
        rows.extend(_schedule_row(cid, cycle, timing, offset, now) for cycle in added)
        if added and not pending:
            # Schedules added after a Pending one leave the Next Invoice Date as it was.
            touched.append(cid)
        if len(rows) >= KEEP_AHEAD_BATCH:
            added_count += _schedules_add(rows, touched)
            rows, touched = [], []
    return added_count + _schedules_add(rows, touched)


def _schedules_add(rows: Sequence[Row], touched: Collection[int]) -> int:
    """Insert these Pending schedules (skipping any another process added first) and
    refresh the Next Invoice Date of the contracts that had none."""
    with transaction.atomic():
        try:
            # Straight in: no other process keeps these contracts ahead on a usual night,
            # and staging the rows for ON CONFLICT cost about half of keeping ahead.
            with transaction.atomic():
                insert_rows(BillingSchedule, SCHEDULE_COLUMNS, rows)
        except IntegrityError:  # one was: skip the schedules it added
            insert_rows(BillingSchedule, SCHEDULE_COLUMNS, rows, ignore_conflicts=True)
        contracts_refresh_next_invoice_date(touched)
    return len(rows)


def contracts_refresh_next_invoice_date(contract_ids: Iterable[int]) -> None:
    """Store each contract's Next Invoice Date: the anchor of its first cycle not invoiced."""
    first_pending = (
        BillingSchedule.objects.filter(
            contract=OuterRef("pk"), status=BillingSchedule.Status.PENDING
        )
        .order_by("cycle_index")
        .values("next_invoice_date")[:1]
    )
    for ids in chunked(list(contract_ids), IDS_PER_STATEMENT):
        BillingContract.objects.filter(pk__any=ids).update(
            next_invoice_date=Subquery(first_pending)
        )


def schedules_refresh_pending(*, contract: BillingContract) -> None:
    """Re-date a contract's Pending schedules from its current terms.

    An offset change moves only the Invoice Date; a new end date cuts the last cycle
    and cancels the Pending schedules of cycles that no longer exist. Cycles set aside
    with nothing to bill are Pending again first: new terms may make them billable.
    """
    schedules_reopen_nothing_to_bill(contract=contract)
    pending = list(contract.schedules.active())
    now = timezone.now()
    for schedule in pending:
        schedule.updated_at = now
        try:
            cycle = contract.cycle_at(schedule.cycle_index)
        except ValueError:
            schedule.status = BillingSchedule.Status.CANCELLED
            continue
        schedule.period_start, schedule.period_end = cycle.start, cycle.end
        schedule.next_invoice_date = cycles.next_invoice_date(cycle, contract.billing_timing)
        schedule.invoice_date = cycles.invoice_date(
            cycle, contract.billing_timing, contract.invoice_offset_days
        )
    BillingSchedule.objects.bulk_update(
        pending,
        ["period_start", "period_end", "next_invoice_date", "invoice_date", "status", "updated_at"],
    )
    contracts_refresh_next_invoice_date([contract.pk])


def schedules_cancel_pending(*, contract: BillingContract) -> int:
    """Cancel every Pending schedule of a contract (it was cancelled or has ended)."""
    cancelled = contract.schedules.active().update(
        status=BillingSchedule.Status.CANCELLED, updated_at=timezone.now()
    )
    contracts_refresh_next_invoice_date([contract.pk])
    return cancelled


def schedules_mark_nothing_to_bill(
    *, schedule_ids: Collection[int], contract_ids: Collection[int]
) -> int:
    """Set these Pending schedules aside as Inactive / Nothing to bill: no invoice.

    The caller holds their row locks (the batch that drafted them empty). One statement
    per chunk of ids. Returns how many were marked.
    """
    now = timezone.now()
    marked = 0
    for ids in chunked(list(schedule_ids), IDS_PER_STATEMENT):
        marked += BillingSchedule.objects.filter(
            pk__in=ids, status=BillingSchedule.Status.PENDING
        ).update(status=BillingSchedule.Status.NOTHING_TO_BILL, updated_at=now)
    contracts_refresh_next_invoice_date(contract_ids)
    return marked


def schedules_reopen_nothing_to_bill(*, contract: BillingContract) -> int:
    """Make a contract's cycles set aside with nothing to bill Pending again, for the next
    run to draft them anew: call it when the contract's lines change (a line added, its
    dates or quantity changed), since a line may now bill something in them."""
    reopened = contract.schedules.filter(status=BillingSchedule.Status.NOTHING_TO_BILL).update(
        status=BillingSchedule.Status.PENDING, updated_at=timezone.now()
    )
    if reopened:
        contracts_refresh_next_invoice_date([contract.pk])
    return reopened


def schedule_for_cycle(*, contract: BillingContract, cycle_index: int) -> BillingSchedule:
    """The schedule of a cycle, created Pending if it does not exist yet (a future cycle
    picked for manual generation). ValueError if the contract has no such cycle."""
    contract.cycle_at(cycle_index)  # ValueError past the contract's end
    schedules_ensure_cycles({contract.pk: cycle_index})
    return BillingSchedule.objects.get(contract=contract, cycle_index=cycle_index)


def schedules_ensure_cycles(targets: dict[int, int]) -> int:
    """Make sure each contract (id) has a schedule up to its target cycle index.

    Missing cycles before a target are created too, Pending, so that keeping ahead never
    skips one. Set-based: one aggregate, one insert. Returns how many were created.
    """
    if not targets:
        return 0
    contracts = (
        BillingContract.objects.filter(pk__any=list(targets))
        .annotate(last_index=Max("schedules__cycle_index"))
        .values_list(
            "id",
            "start_date",
            "billing_frequency",
            "end_date",
            "billing_timing",
            "invoice_offset_days",
            "last_index",
        )
    )
    rows: list[Row] = []
    touched: list[int] = []
    now = timezone.now()
    for cid, start, frequency, end, timing, offset, last_index in contracts:
        first = 0 if last_index is None else last_index + 1
        if first > targets[cid]:
            continue  # the usual case: kept ahead already
        rows.extend(
            _schedule_row(cid, cycles.cycle_at(start, frequency, index, end), timing, offset, now)
            for index in range(first, targets[cid] + 1)
        )
        touched.append(cid)
    with transaction.atomic():
        insert_rows(BillingSchedule, SCHEDULE_COLUMNS, rows, ignore_conflicts=True)
        contracts_refresh_next_invoice_date(touched)
    return len(rows)


def _schedule_row(
    contract_id: int, cycle: cycles.Cycle, timing: str, offset_days: int, now: datetime
) -> Row:
    """A Pending schedule of a cycle, in SCHEDULE_COLUMNS order."""
    return (
        contract_id,
        cycle.index,
        cycle.start,
        cycle.end,
        cycles.next_invoice_date(cycle, timing),
        cycles.invoice_date(cycle, timing, offset_days),
        BillingSchedule.Status.PENDING,
        now,
        now,
    )
