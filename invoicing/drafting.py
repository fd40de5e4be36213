"""What an invoice would contain: lines, amounts, taxes and totals, computed in memory.

Preview and generation both call `draft_regular_invoice`, so a preview is exactly what
generation writes. Works on plain attributes (ORM objects or the light rows the batch
loader builds), never queries.

Warning: issued invoices were computed with these rules; changing them changes what a
replacement of a past cycle bills.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple, Protocol

from billing_site.errors import DayLabel, SpanLabel
from invoicing import errors
from invoicing.errors import GenerationError
from invoicing.line_amounts import DocumentTotals, document_totals, line_amount, line_tax
from schedules import cycles
from schedules.posting_periods import first_open_day, posting_note

if TYPE_CHECKING:  # a pure module: the loaded rows are only described here
    from invoicing.selectors.billing_data import BillingData

PRORATION_PLACES = Decimal("1E-10")
WHOLE_PRORATION = Decimal(1).quantize(PRORATION_PLACES)


# What drafting reads, described by attribute: the rows the batch loader builds
# (invoicing/selectors/billing_data.py) and the model instances both fit. Read-only
# properties, so a NamedTuple row matches.
class ContractTerms(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date | None: ...
    @property
    def billing_frequency(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def payment_terms_days(self) -> int: ...


class LineTerms(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def description(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit_price(self) -> Decimal | None: ...
    @property
    def tax_rate(self) -> Decimal: ...
    @property
    def start_date(self) -> date | None: ...
    @property
    def end_date(self) -> date | None: ...


class QuantityChange(Protocol):
    """A change-log entry as a regular invoice splits a line's quantity with it."""

    @property
    def id(self) -> int: ...
    @property
    def effective_date(self) -> date: ...
    @property
    def quantity_before(self) -> Decimal: ...
    @property
    def billed_invoice_id(self) -> int | None: ...


class BilledChange(Protocol):
    """A change-log entry as a change-log invoice bills it."""

    @property
    def id(self) -> int: ...
    @property
    def line_id(self) -> int: ...
    @property
    def effective_date(self) -> date: ...
    @property
    def quantity_before(self) -> Decimal: ...
    @property
    def quantity_after(self) -> Decimal: ...


# Drafts are tuples: a nightly run builds hundreds of thousands, and a frozen dataclass
# costs several times a tuple to create.


class DraftLine(NamedTuple):
    contract_line_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    period_start: date
    period_end: date
    proration: Fraction
    amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    change_id: int | None = None

    @property
    def proration_decimal(self) -> Decimal:
        if self.proration == 1:  # the usual line: a whole cycle
            return WHOLE_PRORATION
        exact = Decimal(self.proration.numerator) / Decimal(self.proration.denominator)
        return exact.quantize(PRORATION_PLACES)


class InvoiceDraft(NamedTuple):
    contract_id: int
    schedule_id: int | None
    cycle: cycles.Cycle | None  # None on a change-log invoice, which spans `period` instead
    invoice_date: date
    due_date: date
    currency: str
    lines: tuple[DraftLine, ...]
    covered_change_ids: tuple[int, ...] = ()
    kind: str = "regular"
    # A change-log invoice spans its changes (first effective date to last cycle end);
    # a regular one spans its cycle.
    period: tuple[date, date] | None = None
    replaces_id: int | None = None
    # The date the invoice would have had, when it fell in a closed posting period and is
    # dated on the first open day instead.
    dated_from: date | None = None

    @property
    def posting_note(self) -> str:
        """Why the invoice is dated so ("dated 1 Apr 2026: March 2026 is closed"), or ""."""
        if self.dated_from is None:
            return ""
        return posting_note(self.dated_from, self.invoice_date)

    @property
    def period_start(self) -> date:
        return self._span()[0]

    @property
    def period_end(self) -> date:
        return self._span()[1]

    def _span(self) -> tuple[date, date]:
        if self.period:
            return self.period
        assert self.cycle is not None, "a draft has a period or a cycle"
        return self.cycle.start, self.cycle.end

    @property
    def nothing_to_bill(self) -> bool:
        """No line bills anything in the cycle: such a draft is never written (an empty
        invoice tells the customer nothing)."""
        return not self.lines

    @property
    def totals(self) -> DocumentTotals:
        return document_totals(self.lines)

    @property
    def subtotal(self) -> Decimal:
        return self.totals.subtotal

    @property
    def tax_total(self) -> Decimal:
        return self.totals.tax_total

    @property
    def total(self) -> Decimal:
        return self.totals.total

    def fingerprint(self) -> str:
        """A digest of everything the invoice would say, to detect a contract changed
        between a preview and its confirmation."""
        content = {
            "kind": self.kind,
            "period": [str(self.period_start), str(self.period_end)],
            "invoice_date": str(self.invoice_date),
            "due_date": str(self.due_date),
            "currency": self.currency,
            "lines": [
                [
                    line.description,
                    str(line.quantity),
                    str(line.unit_price),
                    str(line.period_start),
                    str(line.period_end),
                    str(line.proration),
                    str(line.amount),
                    str(line.tax_rate),
                    str(line.tax_amount),
                ]
                for line in self.lines
            ],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]


def cycle_label(start: date, end: date) -> SpanLabel:
    """A cycle as refusals and job messages name it: 1 Mar 2026 – 31 Mar 2026 (English
    text; a refusal formatted with it writes it in the reader's language)."""
    return SpanLabel(start, end)


def day_label(day: date) -> DayLabel:
    """A day as messages write it, the way the pages do: 1 Mar 2026 (no leading zero)."""
    return DayLabel(day)


def nothing_to_bill_refusal(start: date, end: date, live_number: str | None) -> str:
    """Why a cycle whose draft bills nothing is not generated: it gets no invoice, and a
    live invoice of it is not replaced by an empty one."""
    if live_number is None:
        return errors.NOTHING_TO_BILL.format(cycle=cycle_label(start, end))
    return errors.NOTHING_TO_BILL_CANNOT_REPLACE.format(
        cycle=cycle_label(start, end), number=live_number
    )


def generation_date(scheduled: date, as_of: date) -> date:
    """An invoice is dated on its schedule's Invoice Date, or on the day it is generated
    when that comes first (a cycle invoiced early is not dated in the future)."""
    return min(scheduled, as_of)


def due_date(invoice_date: date, payment_terms_days: int) -> date:
    """An invoice is due its contract's payment terms after the date it carries."""
    return invoice_date + timedelta(days=payment_terms_days)


def priced(line: LineTerms) -> Decimal:
    """The line's unit price; a line without one cannot be billed."""
    if line.unit_price is None:
        raise GenerationError(errors.LINE_WITHOUT_PRICE.format(description=line.description))
    return line.unit_price


def bill_line(
    *, line: LineTerms, cycle: cycles.Cycle, currency: str, changes: Sequence[QuantityChange]
) -> list[DraftLine]:
    """One draft line per quantity segment of a contract line in the cycle."""
    unit_price = priced(line)
    history = [(change.effective_date, change.quantity_before) for change in changes]
    segments = cycles.quantity_segments(
        cycle, line.quantity, history, line.start_date, line.end_date
    )
    drafted: list[DraftLine] = []
    for segment in segments:
        if not segment.quantity:
            continue
        amount = line_amount(segment.quantity, unit_price, segment.proration, currency)
        drafted.append(
            DraftLine(
                contract_line_id=line.id,
                description=line.description,
                quantity=segment.quantity,
                unit_price=unit_price,
                period_start=segment.start,
                period_end=segment.end,
                proration=segment.proration,
                amount=amount,
                tax_rate=line.tax_rate,
                tax_amount=line_tax(amount, line.tax_rate, currency),
            )
        )
    return drafted


def draft_regular_invoice(
    *,
    contract: ContractTerms,
    lines: Sequence[LineTerms],
    changes_by_line: Mapping[int, Sequence[QuantityChange]],
    cycle: cycles.Cycle,
    schedule_id: int | None,
    scheduled_invoice_date: date,
    as_of: date,
    closed_months: Collection[date] = frozenset(),
) -> InvoiceDraft:
    """The regular invoice of one cycle, as known now (rule 3 of the design); dated on the
    first open day when its date falls in one of `closed_months` (first days)."""
    if not lines:
        raise GenerationError(errors.NO_LINES.format(number=contract.number))
    drafted: list[DraftLine] = []
    covered: list[int] = []
    for line in lines:
        changes = changes_by_line.get(line.id, [])
        drafted.extend(
            bill_line(line=line, cycle=cycle, currency=contract.currency, changes=changes)
        )
        covered.extend(
            change.id
            for change in changes
            if change.billed_invoice_id is None
            and cycle.start <= change.effective_date <= cycle.end
        )
    return _dated_draft(
        contract,
        generation_date(scheduled_invoice_date, as_of),
        closed_months,
        lines=drafted,
        covered_change_ids=covered,
        schedule_id=schedule_id,
        cycle=cycle,
    )


def steady_cycle(
    *,
    lines: Sequence[LineTerms],
    changes_by_line: Mapping[int, Sequence[QuantityChange]],
    cycle: cycles.Cycle,
) -> bool:
    """Whether `draft_regular_invoice` bills this cycle from the lines' terms alone: a full
    (uncut) cycle, every line active all through it, every change in force before it
    starts. Then each line is one segment at its current quantity and a share of exactly
    1, no change is covered, and the amounts are the same for every such cycle of the
    contract: only the dates differ (see `draft_steady_cycle`)."""
    if cycle.is_cut:
        return False
    for line in lines:
        if line.start_date is not None and line.start_date > cycle.start:
            return False
        if line.end_date is not None and line.end_date < cycle.end:
            return False
        if any(change.effective_date >= cycle.start for change in changes_by_line.get(line.id, ())):
            return False
    return True


def draft_steady_cycle(
    steady: InvoiceDraft,
    *,
    contract: ContractTerms,
    cycle: cycles.Cycle,
    schedule_id: int | None,
    scheduled_invoice_date: date,
    as_of: date,
    closed_months: Collection[date] = frozenset(),
) -> InvoiceDraft:
    """What `draft_regular_invoice` returns for `cycle`, from `steady`, its draft of another
    steady cycle of the same contract with the same lines and changes: the same lines over
    the new period, dated as any regular invoice. Only for cycles `steady_cycle` accepts."""
    return _dated_draft(
        contract,
        generation_date(scheduled_invoice_date, as_of),
        closed_months,
        lines=[
            line._replace(period_start=cycle.start, period_end=cycle.end) for line in steady.lines
        ],
        covered_change_ids=(),
        schedule_id=schedule_id,
        cycle=cycle,
    )


def _dated_draft(
    contract: ContractTerms,
    invoice_date: date,
    closed_months: Collection[date],
    *,
    lines: Iterable[DraftLine],
    covered_change_ids: Iterable[int],
    schedule_id: int | None,
    cycle: cycles.Cycle | None,
    kind: str = "regular",
    period: tuple[date, date] | None = None,
    replaces_id: int | None = None,
) -> InvoiceDraft:
    """A draft dated `invoice_date`, or the first open day after it when its posting period
    is closed; due after the contract's payment terms from the date it carries."""
    dated = first_open_day(invoice_date, closed_months)
    invoice_date, dated_from = dated, (invoice_date if dated != invoice_date else None)
    return InvoiceDraft(
        contract_id=contract.id,
        schedule_id=schedule_id,
        cycle=cycle,
        invoice_date=invoice_date,
        due_date=due_date(invoice_date, contract.payment_terms_days),
        currency=contract.currency,
        lines=tuple(lines),
        covered_change_ids=tuple(covered_change_ids),
        kind=kind,
        period=period,
        replaces_id=replaces_id,
        dated_from=dated_from,
    )


def draft_days_billed_again(
    *,
    contract: ContractTerms,
    lines: Iterable[DraftLine],
    period: tuple[date, date],
    as_of: date,
    closed_months: Collection[date] = frozenset(),
) -> InvoiceDraft:
    """The invoice billing again days a contract's end had credited, once the end moved
    later: a change-log invoice (its cycle keeps its regular one), dated `as_of` as one."""
    return _dated_draft(
        contract,
        as_of,
        closed_months,
        lines=lines,
        covered_change_ids=(),
        schedule_id=None,
        cycle=None,
        kind="change_log",
        period=period,
    )


def expected_cycle(
    contract: ContractTerms, cycle_index: int, period_start: date, period_end: date
) -> cycles.Cycle:
    """The cycle from the contract's terms; refuse a schedule whose stored period differs."""
    cycle = cycles.cycle_at(
        contract.start_date, contract.billing_frequency, cycle_index, contract.end_date
    )
    if (cycle.start, cycle.end) != (period_start, period_end):
        raise GenerationError(
            errors.SCHEDULE_OUT_OF_DATE.format(
                cycle=cycle_index,
                start=period_start,
                end=period_end,
                expected_start=cycle.start,
                expected_end=cycle.end,
            )
        )
    return cycle


def draft_change_log_invoice(
    *,
    data: BillingData,
    contract_id: int,
    changes: Sequence[BilledChange],
    as_of: date,
    replaces_id: int | None = None,
    closed_months: Collection[date] = frozenset(),
) -> InvoiceDraft:
    """The change-log invoice billing these changes (the increases: decreases go on credit
    notes, change_log_drafting.py), a line each; `data` holds the
    contract's terms and lines (billing_data_load), so a batch loads them once. Dated on
    the first open day when `as_of` falls in one of `closed_months`."""
    contract = data.contracts[contract_id]
    lines_by_id = {line.id: line for line in data.lines.get(contract_id, [])}
    drafted: list[DraftLine] = []
    ends: list[date] = []
    for change in changes:
        line = lines_by_id[change.line_id]
        cycle = cycles.cycle_containing(
            contract.start_date,
            contract.billing_frequency,
            change.effective_date,
            contract.end_date,
        )
        ends.append(cycle.end)
        drafted.append(change_line(change, line, cycle, contract.currency))
    return _dated_draft(
        contract,
        as_of,
        closed_months,
        lines=drafted,
        covered_change_ids=[change.id for change in changes],
        schedule_id=None,
        cycle=None,
        kind="change_log",
        period=(min(change.effective_date for change in changes), max(ends)),
        replaces_id=replaces_id,
    )


def change_line(
    change: BilledChange, line: LineTerms, cycle: cycles.Cycle, currency: str
) -> DraftLine:
    """A change's line: delta × unit price × the rest of its cycle, rounded once (negative
    for a decrease, which a credit note takes back: change_log_drafting.py)."""
    unit_price = priced(line)
    share = cycles.remaining_proration(cycle, change.effective_date)
    delta = change.quantity_after - change.quantity_before
    amount = line_amount(delta, unit_price, share, currency)
    verb = "added" if delta > 0 else "removed"
    return DraftLine(
        contract_line_id=line.id,
        description=f"{line.description}: {abs(delta).normalize()} {verb} from "
        f"{day_label(change.effective_date)} ({change.quantity_before.normalize()} → "
        f"{change.quantity_after.normalize()})",
        quantity=delta,
        unit_price=unit_price,
        period_start=change.effective_date,
        period_end=cycle.end,
        proration=share,
        amount=amount,
        tax_rate=line.tax_rate,
        tax_amount=line_tax(amount, line.tax_rate, currency),
        change_id=change.id,
    )
