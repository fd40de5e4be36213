"""Reads behind the bulk window: the selection's cycles, what Proceed would do, and the
post-invoicing boxes preset from the contracts. A fixed number of queries per request,
whatever the size of the selection."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q

from contracts.models import POST_TASKS, BillingContract, ContractChange
from invoicing import errors
from invoicing.models import Invoice
from invoicing.selectors.cycles import cycle_targets
from schedules import cycles
from schedules.models import BillingSchedule

CYCLE_ROWS_SHOWN = 50


@dataclass
class BulkSummary:
    """What Proceed would do, before anyone presses it."""

    contracts: int = 0
    would_generate: int = 0
    would_replace: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> contracts


def bulk_summary(
    *, contract_ids: Collection[int], cycle_date: date, replace: bool = False
) -> BulkSummary:
    """How many contracts would be generated, replaced and skipped, and why."""
    skipped: dict[int, str] = {}
    targets = cycle_targets(contract_ids, cycle_date, skipped)
    summary = BulkSummary(contracts=len(contract_ids))
    invoiced = _live_invoices_at(targets)
    for contract_id in targets:
        if contract_id in invoiced and not replace:
            skipped[contract_id] = errors.SKIPPED_ALREADY_INVOICED.format(
                number=invoiced[contract_id]
            )
        elif contract_id in invoiced:
            summary.would_replace += 1
        else:
            summary.would_generate += 1
    summary.skipped = Counter(_reason_family(reason) for reason in skipped.values())
    return summary


@dataclass(frozen=True)
class BulkCycleRow:
    """One selected contract as the Regular tab will bill it: its cycle, or why not."""

    contract: BillingContract
    cycle: cycles.Cycle | None
    skipped: str


def bulk_cycle_rows(contract_ids: Sequence[int], cycle_date: date) -> list[BulkCycleRow]:
    """The first selected contracts with the cycle containing `cycle_date` for each."""
    shown = list(contract_ids[:CYCLE_ROWS_SHOWN])
    skipped: dict[int, str] = {}
    targets = cycle_targets(shown, cycle_date, skipped)
    contracts = BillingContract.objects.select_related("customer").in_bulk(shown)
    rows = []
    for pk in shown:
        contract = contracts.get(pk)
        if contract is None:
            continue
        cycle = None
        if pk in targets:
            cycle = cycles.cycle_at(
                contract.start_date, contract.billing_frequency, targets[pk], contract.end_date
            )
        rows.append(BulkCycleRow(contract, cycle, skipped.get(pk, "")))
    return rows


def contracts_with_changes_to_bill(
    contract_ids: Sequence[int], *, period_start: date, period_end: date
) -> int:
    """How many of these contracts have a change the Change Log tab would bill: unbilled,
    effective in the period, in a cycle already invoiced (one query, any selection size).
    The same rule as `change_log_changes_claim`, with the cycle found by its schedule's
    period instead of the cycle arithmetic, so the database answers it."""
    invoiced_cycle = BillingSchedule.objects.filter(
        contract_id=OuterRef("line__contract_id"),
        status=BillingSchedule.Status.INVOICED,
        period_start__lte=OuterRef("effective_date"),
        period_end__gte=OuterRef("effective_date"),
    )
    to_bill = ContractChange.objects.filter(
        line__contract_id=OuterRef("pk"),
        billed_invoice__isnull=True,
        effective_date__gte=period_start,
        effective_date__lte=period_end,
    ).filter(Exists(invoiced_cycle))
    return (
        BillingContract.objects.filter(pk__any=list(contract_ids)).filter(Exists(to_bill)).count()
    )


def post_task_defaults(contract_ids: Sequence[int]) -> dict[str, bool]:
    """Each post-invoicing task: ticked when every selected contract asks for it."""
    found = BillingContract.objects.filter(pk__any=list(contract_ids)).aggregate(
        total=Count("id"), **{task: Count("id", filter=Q(**{task: True})) for task in POST_TASKS}
    )
    return {task: found["total"] > 0 and found[task] == found["total"] for task in POST_TASKS}


def _live_invoices_at(targets: dict[int, int]) -> dict[int, str]:
    """contract id -> number of the live regular invoice of its target cycle."""
    found = (
        Invoice.objects.live_regular()
        .filter(contract_id__in=targets.keys())
        .values_list("contract_id", "schedule__cycle_index", "number")
    )
    return {cid: number for cid, index, number in found if targets.get(cid) == index}


def _reason_family(reason: str) -> str:
    """Group skip reasons for the summary: 'already invoiced (INV-1)' counts as one kind."""
    return reason.split(" (")[0].rstrip(".")


def bulk_would_replace_any(contract_ids: Sequence[int], cycle_date: date) -> bool:
    """Whether a live invoice already bills one of these contracts' cycles containing
    `cycle_date` (one EXISTS query, for Proceed at any size of selection)."""
    return (
        Invoice.objects.live_regular()
        .filter(
            contract__id__any=list(contract_ids),
            schedule__period_start__lte=cycle_date,
            schedule__period_end__gte=cycle_date,
        )
        .exists()
    )
