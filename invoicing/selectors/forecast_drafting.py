"""The forecast's drafting: every cycle of some contracts up to a day, drafted exactly as
the nightly run will draft it (`forecast_refresh` keeps the result in a table).

The Pending schedules as they are stored, then the cycles beyond the kept schedules as
`schedules/cycles.py` computes them (the nightly run schedules them before it bills them),
each drafted with `draft_regular_invoice` over the rows `billing_data_load` reads: the very
calls the nightly batch makes. A cycle is dated as the run that bills it will date it (its
Invoice Date, moved out of a closed month, whichever night bills it), so nothing drafted
depends on the day it is drafted.

Set-based: five queries per chunk of contracts (the Pending schedules, where each
contract's schedules stop, and billing_data_load's three); the drafting itself is pure
Python, and a contract's later steady cycles reuse the draft of its first one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import Max, Q

from billing_site.errors import BillingError
from contracts.models import BillingContract
from invoicing.drafting import (
    InvoiceDraft,
    draft_regular_invoice,
    draft_steady_cycle,
    expected_cycle,
    steady_cycle,
)
from invoicing.selectors.billing_data import BillingData, ContractRow, billing_data_load
from schedules import cycles
from schedules.models import BillingSchedule

# A chunk whose ids fill at least this share of their id range is read by range (the
# same rows, without a statement of 2,000 parameters to plan); a sparser one (the
# contracts a night changed) by its ids, so it never reads its neighbours' schedules.
DENSE_SHARE = 0.5


class _ScheduleRefused(Exception):
    """A Pending schedule the contract's terms refuse, dated by its own Invoice Date."""

    def __init__(self, day: date, message: str) -> None:
        super().__init__(message)
        self.day = day


class ContractForecast(NamedTuple):
    """One contract's drafted cycles: (Invoice Date, draft) in order, and, when a cycle
    cannot be drafted, its Invoice Date and why (the cycles before it are kept)."""

    contract_id: int
    drafts: list[tuple[date, InvoiceDraft]]
    failure: tuple[date, str] | None


def forecast_drafts(
    contract_ids: Sequence[int],
    *,
    horizon: date,
    closed: frozenset[date],
    after: date | None = None,
) -> Iterator[ContractForecast]:
    """Every cycle of these contracts (sorted ids) whose Invoice Date is on or before
    `horizon` (and after `after`, when given), drafted as the nightly run will draft it."""
    if not contract_ids:
        return
    first_id, last_id = contract_ids[0], contract_ids[-1]
    dense = len(contract_ids) >= DENSE_SHARE * (last_id - first_id + 1)
    if dense:
        schedules_of = Q(contract_id__gte=first_id, contract_id__lte=last_id)
        contracts = Q(pk__gte=first_id, pk__lte=last_id)
    else:
        schedules_of, contracts = (
            Q(contract__id__any=list(contract_ids)),
            Q(pk__any=list(contract_ids)),
        )
    pending: dict[int, list] = defaultdict(list)
    for schedule in (
        BillingSchedule.objects.active()
        .filter(schedules_of, invoice_date__lte=horizon)
        .order_by("contract_id", "cycle_index")
        .values_list(
            "id",
            "contract_id",
            "cycle_index",
            "period_start",
            "period_end",
            "invoice_date",
            named=True,
        )
    ):
        pending[schedule.contract_id].append(schedule)
    # Where the kept schedules stop: the cycles after the last one are not stored yet.
    last_index: dict[int, int | None] = {}
    first_unscheduled: dict[int, date] = {}  # the first day no schedule covers yet
    for contract_id, start_date, index, end in (
        BillingContract.objects.filter(contracts)
        .annotate(last_index=Max("schedules__cycle_index"), last_end=Max("schedules__period_end"))
        .values_list("id", "start_date", "last_index", "last_end")
    ):
        last_index[contract_id] = index
        first_unscheduled[contract_id] = start_date if end is None else end + timedelta(days=1)
    data = billing_data_load(contract_ids, _changes_after(pending, first_unscheduled, horizon))
    for contract_id in contract_ids:
        contract = data.contracts[contract_id]
        ahead = _cycles_ahead(contract, pending[contract_id], last_index.get(contract_id), horizon)
        drafts, failure = _contract_drafts(data, contract, ahead, closed, after)
        yield ContractForecast(contract_id, drafts, failure)


def _changes_after(
    pending: dict[int, list], first_unscheduled: dict[int, date], default: date
) -> date:
    """A day on or before the start of every cycle drafted: older changes cannot split
    those cycles, and a day earlier than needed only reads a few more rows."""
    starts = [s.period_start for rows in pending.values() for s in rows]
    starts.extend(first_unscheduled.values())
    return min(starts, default=default)


def _cycles_ahead(
    contract: ContractRow, pending: Sequence, last_index: int | None, horizon: date
) -> Iterator[tuple[cycles.Cycle, int | None, date]]:
    """(cycle, schedule id or None, Invoice Date) of each cycle to draft: the Pending
    schedules as stored, then the cycles beyond the last schedule, as keeping them ahead
    would store them, while their Invoice Date is on or before `horizon`."""
    for schedule in pending:
        try:
            cycle = expected_cycle(
                contract, schedule.cycle_index, schedule.period_start, schedule.period_end
            )
        except BillingError as error:
            raise _ScheduleRefused(schedule.invoice_date, str(error)) from error
        yield cycle, schedule.id, schedule.invoice_date
    first_index = 0 if last_index is None else last_index + 1
    for cycle in cycles.iter_cycles(
        contract.start_date, contract.billing_frequency, contract.end_date, first_index
    ):
        invoice_day = cycles.invoice_date(
            cycle, contract.billing_timing, contract.invoice_offset_days
        )
        if invoice_day > horizon:
            return
        yield cycle, None, invoice_day


def _contract_drafts(
    data: BillingData,
    contract: ContractRow,
    ahead: Iterator[tuple[cycles.Cycle, int | None, date]],
    closed: frozenset[date],
    after: date | None,
) -> tuple[list[tuple[date, InvoiceDraft]], tuple[date, str] | None]:
    """(Invoice Date, draft) of each cycle ahead, and the failure that stopped them. The
    first steady cycle (see `steady_cycle`) is drafted in full and the later ones moved
    from it, which returns the same drafts for a fraction of the work.

    A failure is dated by the cycle refused (its Invoice Date), or, when the next cycle
    could not even be computed, by the last one computed: drafting up to any day on or
    after that date meets the same failure (cycles are computed one beyond the last)."""
    lines = data.lines.get(contract.id, [])
    changes_by_line = {line.id: data.changes.get(line.id, []) for line in lines}
    drafts: list[tuple[date, InvoiceDraft]] = []
    steady: InvoiceDraft | None = None
    day = date.min
    try:
        for cycle, schedule_id, invoice_day in ahead:
            day = invoice_day
            if after is not None and invoice_day <= after:
                continue
            is_steady = steady_cycle(lines=lines, changes_by_line=changes_by_line, cycle=cycle)
            if is_steady and steady is not None:
                draft = draft_steady_cycle(
                    steady,
                    contract=contract,
                    cycle=cycle,
                    schedule_id=schedule_id,
                    scheduled_invoice_date=invoice_day,
                    as_of=invoice_day,
                    closed_months=closed,
                )
            else:
                draft = _draft(data, contract, cycle, schedule_id, invoice_day, closed)
                steady = draft if is_steady else steady
            drafts.append((invoice_day, draft))
    except _ScheduleRefused as error:
        return drafts, (error.day, str(error))
    except (BillingError, ValueError) as error:
        return drafts, (day, str(error))
    return drafts, None


def _draft(
    data: BillingData,
    contract: ContractRow,
    cycle: cycles.Cycle,
    schedule_id: int | None,
    invoice_day: date,
    closed: frozenset[date],
) -> InvoiceDraft:
    """The draft the nightly run will write. A run generates a cycle on its Invoice Date or
    later, and an invoice carries the earlier of its Invoice Date and the day generated
    (`generation_date`): its Invoice Date, moved out of a closed month, whichever night
    bills it. Drafted as of that date, the draft is the same on every day."""
    lines = data.lines.get(contract.id, [])
    return draft_regular_invoice(
        contract=contract,
        lines=lines,
        changes_by_line={line.id: data.changes.get(line.id, []) for line in lines},
        cycle=cycle,
        schedule_id=schedule_id,
        scheduled_invoice_date=invoice_day,
        as_of=invoice_day,
        closed_months=closed,
    )
