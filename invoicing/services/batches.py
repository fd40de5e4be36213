"""Generate the invoices of a batch of contracts in one transaction.

Two selections: the nightly's due schedules, and a bulk run's cycle containing a date.
The batch claims its schedules with row locks that skip what another worker
holds, drafts every invoice in memory, and writes them all in a few statements.
A cycle whose draft bills nothing gets no invoice: its schedule is set aside as
Inactive / Nothing to bill. A contract that cannot be drafted fails alone; if the
set-based write itself is
refused, each contract is retried on its own so one bad contract never sinks the
batch.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from django.db import DatabaseError, transaction

from billing_site.errors import BillingError
from invoicing import errors
from invoicing.drafting import (
    InvoiceDraft,
    cycle_label,
    draft_regular_invoice,
    expected_cycle,
    nothing_to_bill_refusal,
)
from invoicing.models import AuditEvent, Invoice
from invoicing.selectors.billing_data import billing_data_load
from invoicing.selectors.cycles import cycle_targets
from invoicing.selectors.invoices import change_log_invoices_within
from invoicing.services.writing import Provenance, drafts_write
from schedules.models import BillingSchedule, PostingPeriod
from schedules.services import schedules_ensure_cycles
from schedules.services.keeping import schedules_mark_nothing_to_bill

logger = logging.getLogger(__name__)

SCHEDULE_FIELDS = ("id", "contract_id", "cycle_index", "period_start", "period_end", "invoice_date")


class ScheduleRow(Protocol):
    """A claimed schedule as the batch drafts it: a values_list row of SCHEDULE_FIELDS."""

    @property
    def id(self) -> int: ...
    @property
    def contract_id(self) -> int: ...
    @property
    def cycle_index(self) -> int: ...
    @property
    def period_start(self) -> date: ...
    @property
    def period_end(self) -> date: ...
    @property
    def invoice_date(self) -> date: ...


class StatusScheduleRow(ScheduleRow, Protocol):
    """A claimed schedule with its status, to skip a cancelled cycle."""

    @property
    def status(self) -> str: ...


@dataclass
class BatchOutcome:
    invoices: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    # Contract id -> the credit notes its change-log decreases were billed on.
    credit_notes: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    failed: dict[int, str] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)
    locked: set[int] = field(default_factory=set)  # held by another worker: try again
    # Contract id -> why its invoices are dated on the first open day, when a closed
    # posting period moved them ("dated 1 Apr 2026: March 2026 is closed").
    notes: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


def due_schedules_claim(contract_ids: Collection[int], as_of: date) -> list[ScheduleRow]:
    """Lock the due schedules of these contracts, skipping rows another worker holds."""
    return list(
        BillingSchedule.objects.due(as_of)
        .filter(contract__id__any=contract_ids)
        .order_by("contract_id", "cycle_index")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list(*SCHEDULE_FIELDS, named=True)
    )


def drafts_for_schedules(
    schedules: Sequence[ScheduleRow], as_of: date
) -> tuple[list[InvoiceDraft], dict[int, str]]:
    """Draft every claimed schedule; a contract whose draft fails is left out whole."""
    if not schedules:
        return [], {}
    data = billing_data_load(
        {s.contract_id for s in schedules}, min(s.period_start for s in schedules)
    )
    # One query a chunk: an invoice is never dated before the earliest of these dates.
    closed_months = PostingPeriod.objects.closed_months(
        since=min(as_of, *(s.invoice_date for s in schedules))
    )
    drafts: list[InvoiceDraft] = []
    failed: dict[int, str] = {}
    for schedule in schedules:
        contract_id = schedule.contract_id
        if contract_id in failed:
            continue
        contract = data.contracts[contract_id]
        try:
            cycle = expected_cycle(
                contract, schedule.cycle_index, schedule.period_start, schedule.period_end
            )
            lines = data.lines.get(contract_id, [])
            drafts.append(
                draft_regular_invoice(
                    contract=contract,
                    lines=lines,
                    changes_by_line={line.id: data.changes.get(line.id, []) for line in lines},
                    cycle=cycle,
                    schedule_id=schedule.id,
                    scheduled_invoice_date=schedule.invoice_date,
                    as_of=as_of,
                    closed_months=closed_months,
                )
            )
        except BillingError as error:
            failed[contract_id] = str(error)
        except Exception as error:  # one broken contract must never stop the others
            logger.exception("Drafting contract %s failed", contract_id)
            failed[contract_id] = f"Unexpected error: {error!r}"
    return [d for d in drafts if d.contract_id not in failed], failed


def batch_generate(
    contract_ids: Collection[int], *, as_of: date, provenance: Provenance
) -> BatchOutcome:
    """Generate every due invoice of these contracts. Must run inside a transaction."""
    outcome = BatchOutcome()
    claimed = due_schedules_claim(contract_ids, as_of)
    _generate(claimed, as_of=as_of, provenance=provenance, outcome=outcome)
    unclaimed = set(contract_ids) - {s.contract_id for s in claimed}
    if unclaimed:
        outcome.locked = set(
            BillingSchedule.objects.due(as_of)
            .filter(contract__id__any=unclaimed)
            .values_list("contract_id", flat=True)
            .distinct()
        )
        outcome.skipped.update(dict.fromkeys(unclaimed - outcome.locked, errors.NOTHING_DUE))
    return outcome


def batch_generate_cycles(
    contract_ids: Collection[int],
    *,
    cycle_date: date,
    as_of: date,
    provenance: Provenance,
    replace: bool = False,
) -> BatchOutcome:
    """Generate, for each contract, the invoice of its cycle containing `cycle_date`
    (a bulk run). Must run inside a transaction."""
    outcome = BatchOutcome()
    targets = cycle_targets(contract_ids, cycle_date, outcome.skipped)
    schedules_ensure_cycles(targets)
    wanted = [
        pk
        for pk, contract_id, index in BillingSchedule.objects.filter(
            contract_id__in=targets.keys()
        ).values_list("id", "contract_id", "cycle_index")
        if targets[contract_id] == index
    ]
    rows = list(
        BillingSchedule.objects.filter(pk__in=wanted)
        .order_by("contract_id")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list(*SCHEDULE_FIELDS, "status", named=True)
    )
    outcome.locked = set(targets) - {row.contract_id for row in rows}
    claimed, replaces = _replaceable(rows, replace=replace, outcome=outcome)
    _generate(claimed, as_of=as_of, provenance=provenance, outcome=outcome, replaces=replaces)
    return outcome


def _replaceable(
    rows: Sequence[StatusScheduleRow], *, replace: bool, outcome: BatchOutcome
) -> tuple[list[ScheduleRow], dict[int, int]]:
    """The claimed schedules to generate, and the live invoices they replace."""
    live = {
        schedule_id: (invoice_id, number, paid_at)
        for schedule_id, invoice_id, number, paid_at in Invoice.objects.live_regular()
        .filter(schedule_id__in=[row.id for row in rows])
        # Locked: a payment landing now must either be seen here or wait for us.
        .select_for_update()
        .values_list("schedule_id", "id", "number", "paid_at")
    }
    blocked = change_log_invoices_within([row for row in rows if row.id in live]) if replace else {}
    claimed: list[ScheduleRow] = []
    replaces: dict[int, int] = {}
    for row in rows:
        if row.status == BillingSchedule.Status.CANCELLED:
            outcome.skipped[row.contract_id] = errors.SKIPPED_CYCLE_CANCELLED
        elif row.id not in live:
            claimed.append(row)
        elif not replace:
            outcome.skipped[row.contract_id] = errors.SKIPPED_ALREADY_INVOICED.format(
                number=live[row.id][1]
            )
        elif live[row.id][2] is not None:
            outcome.failed[row.contract_id] = errors.PAID_CANNOT_BE_REPLACED.format(
                number=live[row.id][1]
            )
        elif row.id in blocked:
            outcome.failed[row.contract_id] = errors.CHANGES_BILLED_BY_CHANGE_LOG.format(
                number=blocked[row.id]
            )
        else:
            claimed.append(row)
            replaces[row.id] = live[row.id][0]
    return claimed, replaces


def _generate(
    claimed: Sequence[ScheduleRow],
    *,
    as_of: date,
    provenance: Provenance,
    outcome: BatchOutcome,
    replaces: dict[int, int] | None = None,
) -> None:
    """Draft the claimed schedules and write them, but for the cycles with nothing to bill."""
    drafts, failed = drafts_for_schedules(claimed, as_of)
    outcome.failed.update(failed)
    drafts = _set_aside_nothing_to_bill(drafts, outcome=outcome, replaces=replaces or {})
    drafts_write_isolated(drafts, provenance=provenance, outcome=outcome, replaces=replaces)


def _set_aside_nothing_to_bill(
    drafts: Sequence[InvoiceDraft], *, outcome: BatchOutcome, replaces: dict[int, int]
) -> list[InvoiceDraft]:
    """The drafts to write. An empty one marks its schedule Nothing to bill, its contract
    skipped with the reason; one that would replace a live invoice fails instead (voiding,
    not an empty replacement, takes an invoice back)."""
    empty = [draft for draft in drafts if draft.nothing_to_bill]
    if not empty:  # the usual night: not a statement more
        return list(drafts)
    set_aside: dict[int, int] = {}  # schedule id -> contract id
    replaced_numbers = dict(
        Invoice.objects.filter(
            pk__in=[replaces[d.schedule_id] for d in empty if d.schedule_id in replaces]
        ).values_list("id", "number")
    )
    for draft in empty:
        assert draft.schedule_id is not None, "a regular draft has its schedule"
        if draft.schedule_id in replaces:
            outcome.failed[draft.contract_id] = nothing_to_bill_refusal(
                draft.period_start, draft.period_end, replaced_numbers[replaces[draft.schedule_id]]
            )
        else:
            set_aside[draft.schedule_id] = draft.contract_id
            outcome.skipped[draft.contract_id] = errors.SKIPPED_NOTHING_TO_BILL.format(
                cycle=cycle_label(draft.period_start, draft.period_end)
            )
    schedules_mark_nothing_to_bill(
        schedule_ids=set_aside.keys(), contract_ids=set(set_aside.values())
    )
    return [draft for draft in drafts if draft.lines and draft.contract_id not in outcome.failed]


def drafts_write_isolated(
    drafts: Sequence[InvoiceDraft],
    *,
    provenance: Provenance,
    outcome: BatchOutcome,
    replaces: dict[int, int] | None = None,
) -> None:
    """Write the drafts set-based; if the database refuses the batch, write contract by
    contract so that only the offending contract fails."""
    try:
        with transaction.atomic():
            ids = drafts_write(drafts, provenance=provenance, replaces=replaces)
    except DatabaseError:
        logger.warning("Batch write refused; writing contract by contract", exc_info=True)
        ids = _write_one_contract_at_a_time(drafts, provenance, outcome, replaces)
        drafts = [d for d in drafts if d.contract_id not in outcome.failed]
    for draft, invoice_id in zip(drafts, ids, strict=True):
        outcome.invoices[draft.contract_id].append(invoice_id)
    posting_notes_record(drafts, ids, provenance=provenance, outcome=outcome)


def posting_notes_record(
    drafts: Sequence[InvoiceDraft],
    ids: Sequence[int],
    *,
    provenance: Provenance,
    outcome: BatchOutcome,
) -> None:
    """Say on each invoice a closed posting period moved why it carries its date: a line
    on its audit trail (and the contract's), and a note on the outcome for the job rows."""
    moved = [(d, pk) for d, pk in zip(drafts, ids, strict=True) if d.dated_from is not None]
    if not moved:  # the usual night: not a statement more
        return
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_id=provenance.user_id,
            door=provenance.door,
            action=AuditEvent.Action.INVOICE_GENERATED,
            contract_id=draft.contract_id,
            invoice_id=invoice_id,
            detail=draft.posting_note[:1].upper() + draft.posting_note[1:],
        )
        for draft, invoice_id in moved
    )
    for draft, _ in moved:
        outcome.notes[draft.contract_id].append(draft.posting_note)


def _write_one_contract_at_a_time(
    drafts: Sequence[InvoiceDraft],
    provenance: Provenance,
    outcome: BatchOutcome,
    replaces: dict[int, int] | None,
) -> list[int]:
    by_contract: dict[int, list[InvoiceDraft]] = defaultdict(list)
    for draft in drafts:
        by_contract[draft.contract_id].append(draft)
    ids: list[int] = []
    for contract_id, contract_drafts in by_contract.items():
        try:
            with transaction.atomic():
                ids.extend(drafts_write(contract_drafts, provenance=provenance, replaces=replaces))
        except DatabaseError as error:
            outcome.failed[contract_id] = f"Refused by the database: {error}"
    return ids
