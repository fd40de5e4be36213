"""The forecast: what the schedules ahead will invoice, per month and currency, drafted
exactly as generation would.

Every cycle of an active contract whose Invoice Date falls before the end of the window
(this month and the 11 after it) is drafted with `draft_regular_invoice` over the rows
`billing_data_load` reads, the very calls the nightly batch makes: the Pending schedules
as they are stored, and the cycles beyond the kept schedules as `schedules/cycles.py`
computes them (the nightly run schedules them before it bills them). A cycle whose draft
bills nothing gets no invoice, so it counts for nothing; a contract that cannot be drafted
(a line without a price, a schedule out of date) fails whole, as in a run, and is listed.

Pending cycles whose Invoice Date is already past are due now: the next run bills them,
so they form a bucket of their own ahead of the months.

Set-based: one query for the contracts, one for the chunks' versions, then five per chunk
of contracts drafted (the Pending schedules, where each contract's schedules stop, and
billing_data_load's three); the drafting itself is pure Python.

Drafting every cycle of a 100,000-contract book takes seconds of Python, so each chunk's
part of the forecast is cached for the month under its version: a digest of the chunk's
rows that changes with any write to its contracts, lines, change log or schedules (see
`forecast_cache`). A change re-drafts its chunk only; the rest is read back. Nothing a
chunk drafts depends on the day: the window ends with the month's last forecast month, each
cycle is dated as the run that bills it will date it (its Invoice Date, whichever night),
and the sums are kept per day due; the page buckets them for today (due now when the day
due is past).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Max

from billing_site.errors import BillingError
from contracts.models import BillingContract
from invoicing.drafting import (
    InvoiceDraft,
    draft_regular_invoice,
    draft_steady_cycle,
    expected_cycle,
    steady_cycle,
)
from invoicing.selectors import forecast_cache
from invoicing.selectors.billing_data import BillingData, ContractRow, billing_data_load
from schedules import cycles
from schedules.models import BillingSchedule, PostingPeriod

FORECAST_MONTHS = 12
# Contracts that cannot be drafted, listed by number on the page; the rest are counted.
UNDRAFTED_SHOWN = 20


@dataclass(frozen=True)
class ForecastCell:
    """What one month (or the due-now bucket: `month` None) will invoice in one currency."""

    month: date | None
    currency: str
    invoices: int
    subtotal: Decimal
    tax_total: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_total


@dataclass(frozen=True)
class Forecast:
    today: date
    window_end: date  # the last day of the last month forecast
    months: list[date]  # the first day of each month, in order
    cells: list[ForecastCell]  # due now first, then by month and currency
    totals: list[ForecastCell]  # per currency over the whole forecast (month None)
    undrafted: dict[str, str]  # contract number -> why it cannot be drafted
    contracts: int  # active contracts read

    @property
    def due_now(self) -> list[ForecastCell]:
        return [cell for cell in self.cells if cell.month is None]

    @property
    def ahead(self) -> list[ForecastCell]:
        return [cell for cell in self.cells if cell.month is not None]

    @property
    def undrafted_shown(self) -> list[tuple[str, str]]:
        """The first contracts that cannot be drafted, by number, with why."""
        return sorted(self.undrafted.items())[:UNDRAFTED_SHOWN]

    @property
    def by_month(self) -> list[tuple[date | None, list[ForecastCell]]]:
        """The table as the page and the CSV show it: due now (when anything is), then every
        month of the window, an empty list for a month that invoices nothing."""
        rows: list[tuple[date | None, list[ForecastCell]]] = []
        if self.due_now:
            rows.append((None, self.due_now))
        ahead = self.ahead
        for month in self.months:
            rows.append((month, [cell for cell in ahead if cell.month == month]))
        return rows


def forecast_months(today: date) -> list[date]:
    """The first day of this month and of the 11 after it."""
    first = today.replace(day=1)
    return [first + relativedelta(months=k) for k in range(FORECAST_MONTHS)]


def forecast_build(today: date) -> Forecast:
    """The forecast as of `today` (the billing time zone's date)."""
    months = forecast_months(today)
    window_end = months[-1] + relativedelta(months=1) - timedelta(days=1)
    next_month = months[1]
    sums: dict[tuple[date | None, str], list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    undrafted: dict[str, str] = {}
    size = forecast_cache.CONTRACTS_PER_CHUNK
    chunks: dict[int, list[int]] = defaultdict(list)
    contract_ids = BillingContract.objects.active().order_by("pk").values_list("pk", flat=True)
    for contract_id in contract_ids:
        chunks[contract_id // size].append(contract_id)
    versions = forecast_cache.chunk_versions()
    closed = PostingPeriod.objects.closed_months()
    closed_key = ",".join(sorted(month.isoformat() for month in closed))
    for chunk, ids in chunks.items():
        # Read first, then drafted: a write landing in between is drafted under the older
        # version, whose key the next request no longer asks for.
        key = forecast_cache.chunk_key(months[0], chunk, versions.get(chunk), closed_key)
        part = forecast_cache.part_cached(key)
        if part is None:
            part = _chunk_forecast(ids, month=months[0], window_end=window_end, closed=closed)
            forecast_cache.part_keep(key, part, forecast_cache.kept_seconds(today, next_month))
        chunk_sums, chunk_undrafted = part
        for (due_day, carried_month, currency), (
            invoices,
            subtotal,
            tax_total,
        ) in chunk_sums.items():
            # Due now by its Invoice Date, whatever date the late invoice will carry.
            cell = sums[(None if due_day < today else carried_month, currency)]
            cell[0] += invoices
            cell[1] += subtotal
            cell[2] += tax_total
        undrafted.update(chunk_undrafted)
    cells = [
        ForecastCell(month, currency, *sums[(month, currency)])
        for month, currency in sorted(sums, key=lambda key: (key[0] or date.min, key[1]))
    ]
    return Forecast(
        today=today,
        window_end=window_end,
        months=months,
        cells=cells,
        totals=_currency_totals(cells),
        undrafted=undrafted,
        contracts=sum(len(ids) for ids in chunks.values()),
    )


def _currency_totals(cells: Sequence[ForecastCell]) -> list[ForecastCell]:
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for cell in cells:
        total = totals[cell.currency]
        total[0] += cell.invoices
        total[1] += cell.subtotal
        total[2] += cell.tax_total
    return [ForecastCell(None, currency, *totals[currency]) for currency in sorted(totals)]


ChunkSums = dict[tuple[date, date, str], tuple[int, Decimal, Decimal]]


def _chunk_forecast(
    contract_ids: Sequence[int], *, month: date, window_end: date, closed: frozenset[date]
) -> tuple[ChunkSums, dict[str, str]]:
    """What these contracts will invoice per (day due, month of the date the invoice will
    carry, currency), for any day of `month` (its first day), and those that cannot be
    drafted. Nothing here depends on the day: the reader buckets the sums for today."""
    next_month = month + relativedelta(months=1)
    sums: dict[tuple[date, date, str], list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    undrafted: dict[str, str] = {}
    for invoice_day, draft in _chunk_drafts(
        contract_ids, month=month, window_end=window_end, closed=closed, failed=undrafted
    ):
        if draft.nothing_to_bill:
            continue
        # Only a day inside the month can be due now on one day of it and not on another:
        # a day before the month is due now all month, one after it never. Each side is
        # kept as one day, so a part holds a few hundred sums rather than a year of days.
        due_day = min(max(invoice_day, month - timedelta(days=1)), next_month)
        cell = sums[(due_day, draft.invoice_date.replace(day=1), draft.currency)]
        cell[0] += 1
        cell[1] += draft.subtotal
        cell[2] += draft.tax_total
    return {bucket: (n, subtotal, tax) for bucket, (n, subtotal, tax) in sums.items()}, undrafted


def _chunk_drafts(
    contract_ids: Sequence[int],
    *,
    month: date,
    window_end: date,
    closed: frozenset[date],
    failed: dict[str, str],
) -> Iterator[tuple[date, InvoiceDraft]]:
    """(Invoice Date, draft) of every cycle of these contracts invoiced up to `window_end`; a contract
    that cannot be drafted yields nothing and is recorded in `failed`."""
    # The chunk's id range rather than its ids: the same rows (those of contracts not active
    # are never looked up), without a statement of 2,000 parameters to send and plan.
    first_id, last_id = contract_ids[0], contract_ids[-1]
    pending: dict[int, list] = defaultdict(list)
    for schedule in (
        BillingSchedule.objects.active()
        .filter(contract_id__gte=first_id, contract_id__lte=last_id, invoice_date__lte=window_end)
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
        BillingContract.objects.filter(pk__gte=first_id, pk__lte=last_id)
        .annotate(last_index=Max("schedules__cycle_index"), last_end=Max("schedules__period_end"))
        .values_list("id", "start_date", "last_index", "last_end")
    ):
        last_index[contract_id] = index
        first_unscheduled[contract_id] = start_date if end is None else end + timedelta(days=1)
    data = billing_data_load(contract_ids, _changes_after(pending, first_unscheduled, month))
    for contract_id in contract_ids:
        contract = data.contracts[contract_id]
        try:
            ahead = _cycles_ahead(
                contract, pending[contract_id], last_index.get(contract_id), window_end
            )
            drafts = list(_contract_drafts(data, contract, ahead, closed))
        except (BillingError, ValueError) as error:
            failed[contract.number] = str(error)
            continue
        yield from drafts


def _changes_after(
    pending: dict[int, list], first_unscheduled: dict[int, date], month: date
) -> date:
    """A day on or before the start of every cycle drafted: older changes cannot split
    those cycles, and a day earlier than needed only reads a few more rows."""
    starts = [s.period_start for rows in pending.values() for s in rows]
    starts.extend(first_unscheduled.values())
    return min(starts, default=month)


def _cycles_ahead(
    contract: ContractRow, pending: Sequence, last_index: int | None, window_end: date
) -> Iterator[tuple[cycles.Cycle, int | None, date]]:
    """(cycle, schedule id or None, Invoice Date) of each cycle to draft: the Pending
    schedules as stored, then the cycles beyond the last schedule, as keeping them ahead
    would store them, while their Invoice Date falls in the window."""
    for schedule in pending:
        cycle = expected_cycle(
            contract, schedule.cycle_index, schedule.period_start, schedule.period_end
        )
        yield cycle, schedule.id, schedule.invoice_date
    first_index = 0 if last_index is None else last_index + 1
    for cycle in cycles.iter_cycles(
        contract.start_date, contract.billing_frequency, contract.end_date, first_index
    ):
        invoice_day = cycles.invoice_date(
            cycle, contract.billing_timing, contract.invoice_offset_days
        )
        if invoice_day > window_end:
            return
        yield cycle, None, invoice_day


def _contract_drafts(
    data: BillingData,
    contract: ContractRow,
    ahead: Iterator[tuple[cycles.Cycle, int | None, date]],
    closed: frozenset[date],
) -> Iterator[tuple[date, InvoiceDraft]]:
    """(Invoice Date, draft) of each cycle ahead. The first steady cycle (see
    `steady_cycle`) is drafted in full and the later ones moved from it, which returns the
    same drafts for a fraction of the work: most cycles of a book are steady."""
    lines = data.lines.get(contract.id, [])
    changes_by_line = {line.id: data.changes.get(line.id, []) for line in lines}
    steady: InvoiceDraft | None = None
    for cycle, schedule_id, invoice_day in ahead:
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
        yield invoice_day, draft


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
    bills it. Drafted as of that date, the draft is the same on every day of the month."""
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
