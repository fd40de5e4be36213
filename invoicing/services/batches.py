"""Generate the due invoices of a batch of contracts in one transaction.

The batch claims its due schedules with row locks that skip what another worker
holds, drafts every invoice in memory, and writes them all in a few statements.
A contract that cannot be drafted fails alone; if the set-based write itself is
refused, each contract is retried on its own so one bad contract never sinks the
batch.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from django.db import DatabaseError, transaction

from contracts.errors import BillingError
from invoicing.services.drafting import InvoiceDraft, draft_regular_invoice, expected_cycle
from invoicing.services.loading import billing_data_load
from invoicing.services.writing import Provenance, drafts_write
from schedules.models import BillingSchedule

logger = logging.getLogger(__name__)

SCHEDULE_FIELDS = ("id", "contract_id", "cycle_index", "period_start", "period_end", "invoice_date")


@dataclass
class BatchOutcome:
    invoices: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    failed: dict[int, str] = field(default_factory=dict)
    locked: set[int] = field(default_factory=set)  # due, but held by another worker
    nothing_due: set[int] = field(default_factory=set)


def due_schedules_claim(contract_ids: Collection[int], as_of: date) -> list:
    """Lock the due schedules of these contracts, skipping rows another worker holds."""
    return list(
        BillingSchedule.objects.due(as_of)
        .filter(contract_id__in=contract_ids)
        .order_by("contract_id", "cycle_index")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list(*SCHEDULE_FIELDS, named=True)
    )


def drafts_for_schedules(schedules: list, as_of: date) -> tuple[list[InvoiceDraft], dict[int, str]]:
    """Draft every claimed schedule; a contract whose draft fails is left out whole."""
    if not schedules:
        return [], {}
    data = billing_data_load(
        {s.contract_id for s in schedules}, min(s.period_start for s in schedules)
    )
    drafts, failed = [], {}
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
    drafts, outcome.failed = drafts_for_schedules(claimed, as_of)
    try:
        with transaction.atomic():
            ids = drafts_write(drafts, provenance=provenance)
    except DatabaseError:
        logger.warning("Batch write refused; writing contract by contract", exc_info=True)
        ids = _write_one_contract_at_a_time(drafts, provenance, outcome)
        drafts = [d for d in drafts if d.contract_id not in outcome.failed]
    for draft, invoice_id in zip(drafts, ids, strict=True):
        outcome.invoices[draft.contract_id].append(invoice_id)
    unclaimed = set(contract_ids) - {s.contract_id for s in claimed}
    if unclaimed:
        outcome.locked = set(
            BillingSchedule.objects.due(as_of)
            .filter(contract_id__in=unclaimed)
            .values_list("contract_id", flat=True)
            .distinct()
        )
        outcome.nothing_due = unclaimed - outcome.locked
    return outcome


def _write_one_contract_at_a_time(drafts, provenance, outcome) -> list[int]:
    by_contract: dict[int, list[InvoiceDraft]] = defaultdict(list)
    for draft in drafts:
        by_contract[draft.contract_id].append(draft)
    ids = []
    for contract_id, contract_drafts in by_contract.items():
        try:
            with transaction.atomic():
                ids.extend(drafts_write(contract_drafts, provenance=provenance))
        except DatabaseError as error:
            outcome.failed[contract_id] = f"Refused by the database: {error}"
    return ids
