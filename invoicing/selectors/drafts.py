"""What an invoice would be if generated now: previews of regular and change-log invoices,
and the unbilled changes they bill. Reads only; generation calls these before writing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.models import BillingContract, ContractChange
from invoicing import errors
from invoicing.change_log_drafting import (
    ChangeLogDrafts,
    decrease_cycle_indexes,
    draft_change_log,
)
from invoicing.decrease_credits import CreditedLine, CreditTarget
from invoicing.drafting import InvoiceDraft, draft_regular_invoice, expected_cycle
from invoicing.errors import GenerationError
from invoicing.models import AuditEvent, Invoice, InvoiceLine
from invoicing.selectors.billing_data import BillingData, billing_data_load
from schedules import cycles
from schedules.models import BillingSchedule, PostingPeriod


def invoice_preview(*, schedule: BillingSchedule, as_of: date | None = None) -> InvoiceDraft:
    """The invoice generating this schedule would write now, dated on the first open day
    when its date falls in a closed posting period. Writes nothing."""
    as_of = as_of or timezone.localdate()
    contract = schedule.contract
    data = billing_data_load([contract.pk], schedule.period_start)
    lines = data.lines.get(contract.pk, [])
    return draft_regular_invoice(
        contract=data.contracts[contract.pk],
        lines=lines,
        changes_by_line={line.id: data.changes.get(line.id, []) for line in lines},
        cycle=expected_cycle(
            contract, schedule.cycle_index, schedule.period_start, schedule.period_end
        ),
        schedule_id=schedule.pk,
        scheduled_invoice_date=schedule.invoice_date,
        as_of=as_of,
        closed_months=PostingPeriod.objects.closed_months(since=min(schedule.invoice_date, as_of)),
    )


CHANGE_ROW = ("id", "line_id", "contract_id", "effective_date", "quantity_before", "quantity_after")


def _change_rows(changes) -> list:
    return list(
        changes.annotate(contract_id=F("line__contract_id"))
        .order_by("contract_id", "effective_date", "id")
        .values_list(*CHANGE_ROW, named=True)
    )


def change_log_changes_claim(
    contract_ids: Collection[int], *, period_start: date, period_end: date, lock: bool = True
) -> dict[int, list]:
    """Unbilled changes effective in the period whose cycle is already invoiced, per
    contract; locked, skipping those another run holds, when `lock`.

    A change after its contract's end is left out (nothing is billed after the end); one
    before its start has no cycle and is kept, so that drafting fails its contract alone
    with a message naming it (change_log_drafting.changes_outside_refuse)."""
    if period_end < period_start:
        raise GenerationError(errors.PERIOD_REVERSED.format(start=period_start, end=period_end))
    changes = ContractChange.objects.not_after_contract_end().filter(
        line__contract_id__in=contract_ids,
        billed_invoice__isnull=True,
        effective_date__gte=period_start,
        effective_date__lte=period_end,
    )
    if lock:
        changes = changes.select_for_update(skip_locked=True, of=("self",))
    rows = _change_rows(changes)
    contract_ids = {row.contract_id for row in rows}
    terms = {
        pk: (start, frequency)
        for pk, start, frequency in BillingContract.objects.filter(pk__in=contract_ids).values_list(
            "id", "start_date", "billing_frequency"
        )
    }
    invoiced = set(
        BillingSchedule.objects.filter(
            contract_id__in=contract_ids, status=BillingSchedule.Status.INVOICED
        ).values_list("contract_id", "cycle_index")
    )
    by_contract = defaultdict(list)
    for row in rows:
        start, frequency = terms[row.contract_id]
        if row.effective_date < start:  # no cycle holds it: its contract's drafting fails
            by_contract[row.contract_id].append(row)
            continue
        index = cycles.cycle_index_containing(start, frequency, row.effective_date)
        if (row.contract_id, index) in invoiced:
            by_contract[row.contract_id].append(row)
    return by_contract


def changes_billed_by(invoice_id: int) -> list:
    """The changes an invoice billed, locked, as drafting rows (to re-bill them)."""
    return _change_rows(
        ContractChange.objects.filter(billed_invoice_id=invoice_id).select_for_update(of=("self",))
    )


def change_log_preview(
    *, contract: BillingContract, period_start: date, period_end: date, as_of: date
) -> ChangeLogDrafts | None:
    """What this contract's change-log billing would write for the period, or None."""
    changes = change_log_changes_claim(
        [contract.pk], period_start=period_start, period_end=period_end, lock=False
    ).get(contract.pk)
    if not changes:
        return None
    return change_log_draft(contract.pk, changes, as_of=as_of)


def change_log_draft(
    contract_id: int, changes: list, *, as_of: date, replaces_id: int | None = None
) -> ChangeLogDrafts:
    """The change-log invoice of these changes' increases and the credit notes of their
    decreases."""
    data = billing_data_load([contract_id], changes_after=None)
    return draft_change_log(
        data=data,
        contract_id=contract_id,
        changes=changes,
        targets=credit_targets_load(data, {contract_id: changes}).get(contract_id, {}),
        as_of=as_of,
        replaces_id=replaces_id,
        closed_months=PostingPeriod.objects.closed_months(since=as_of),
    )


def credit_targets_load(
    data: BillingData, changes_by_contract: Mapping[int, Sequence]
) -> dict[int, dict[int, CreditTarget]]:
    """contract id -> cycle index -> the cycle's live regular invoice with its lines and
    what is left of them, and the cycle's live change-log invoices a decrease may take the
    rest from (decrease_credits.py), for the cycles the contracts' decreases fall in (no
    query without a decrease, two with)."""
    wanted = {
        (contract_id, index)
        for contract_id, changes in changes_by_contract.items()
        for index in decrease_cycle_indexes(data.contracts[contract_id], changes)
    }
    if not wanted:
        return {}
    invoices = list(
        Invoice.objects.live()
        .filter(contract_id__in={contract_id for contract_id, _ in wanted})
        .filter(
            Q(kind=Invoice.Kind.REGULAR, schedule__cycle_index__in={i for _, i in wanted})
            | Q(kind=Invoice.Kind.CHANGE_LOG)
        )
        .order_by("id")
        .values_list("id", "number", "contract_id", "kind", "schedule__cycle_index", named=True)
    )
    lines = _lines_left_by_invoice([row.id for row in invoices])
    regular: dict[tuple[int, int], CreditTarget] = {}
    increases: dict[tuple[int, int], list[CreditTarget]] = defaultdict(list)
    for row in invoices:
        if row.kind == Invoice.Kind.REGULAR:
            key = (row.contract_id, row.schedule__cycle_index)
            regular[key] = CreditTarget(row.id, row.number, tuple(lines[row.id]))
            continue
        # A change-log invoice may bill changes of several cycles: one target per cycle.
        terms = data.contracts[row.contract_id]
        by_cycle: dict[int, list[CreditedLine]] = defaultdict(list)
        for line in lines[row.id]:
            index = cycles.cycle_index_containing(
                terms.start_date, terms.billing_frequency, line.period_start
            )
            by_cycle[index].append(line)
        for index, own in by_cycle.items():
            increases[(row.contract_id, index)].append(CreditTarget(row.id, row.number, tuple(own)))
    targets: dict[int, dict[int, CreditTarget]] = defaultdict(dict)
    for (contract_id, index), target in regular.items():
        if (contract_id, index) in wanted:
            targets[contract_id][index] = target._replace(
                increase_invoices=tuple(increases.get((contract_id, index), ()))
            )
    return targets


def _lines_left_by_invoice(invoice_ids: list[int]) -> dict[int, list[CreditedLine]]:
    """Each invoice's lines in order, with what is left of them (one query)."""
    lines: dict[int, list[CreditedLine]] = defaultdict(list)
    for invoice_id, *line in (
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
        .annotate(
            amount_left=F("amount") + Coalesce(Sum("credit_lines__amount"), Decimal(0)),
            tax_left=F("tax_amount") + Coalesce(Sum("credit_lines__tax_amount"), Decimal(0)),
        )
        .order_by("invoice_id", "position")
        .values_list(
            "invoice_id",
            "id",
            "contract_line_id",
            "period_start",
            "period_end",
            "amount_left",
            "tax_left",
        )
    ):
        lines[invoice_id].append(CreditedLine(*line))
    return lines


# The audit line a batch writes on an invoice a closed posting period moved (batches.py).
POSTING_NOTE_MARK = " is closed"


def posting_notes_of(invoice_ids: Collection[int]) -> dict[int, str]:
    """Why each of these invoices carries its date, when a closed posting period moved it
    (one query)."""
    return dict(
        AuditEvent.objects.filter(
            invoice_id__in=list(invoice_ids),
            action=AuditEvent.Action.INVOICE_GENERATED,
            detail__endswith=POSTING_NOTE_MARK,
        ).values_list("invoice_id", "detail")
    )
