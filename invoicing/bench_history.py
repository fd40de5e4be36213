"""Months of invoicing history for the page benchmark's book, written with COPY.

Each contract gets its past cycles as the nightly run would have left them: an Inactive
schedule per cycle with its regular invoice (most paid, some unpaid and overdue, a few
void), and one contract in ten a change-log invoice, so the invoice list's filters
(status, currency, kind, payment, dates) meet a realistic mix at a million rows. The
history carries no invoice lines: no page timed reads them for a list.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone

from billing_site.bulk import insert_rows, reserve_ids
from invoicing.line_amounts import line_amount, line_tax
from invoicing.models import INVOICE_DOCUMENT_COLUMNS, Invoice
from schedules import cycles
from schedules.models import BillingSchedule

HISTORY_NUMBER_PREFIX = "HIST-"
PAYMENT_TERMS_DAYS = 30
INVOICE_COLUMNS = (
    "id",
    "number",
    *INVOICE_DOCUMENT_COLUMNS,
    "paid_at",
    "generated_via",
    "created_at",
)
SCHEDULE_COLUMNS = (
    "id",
    "contract_id",
    "cycle_index",
    "period_start",
    "period_end",
    "next_invoice_date",
    "invoice_date",
    "status",
    "resulting_invoice_id",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class HistoryContract:
    """What the history of one contract is drafted from."""

    id: int
    start_date: date
    frequency: cycles.Frequency
    timing: cycles.Timing
    currency: str
    lines: Sequence[tuple[Decimal, Decimal, Decimal]]  # quantity, unit price, tax rate


@transaction.atomic  # the schedules and invoices point at each other: checked at commit
def bench_history_create(
    contracts: Sequence[HistoryContract], *, history_cycles: int, as_of: date, seed: int = 11
) -> int:
    """Cycles 0 .. history_cycles-1 of every contract, schedules and invoices; returns how
    many invoices were written."""
    rng = random.Random(seed)
    now = timezone.now()
    change_log_count = sum(1 for i in range(len(contracts)) if i % 10 == 0)
    schedule_ids = iter(reserve_ids(BillingSchedule, len(contracts) * history_cycles))
    invoice_ids = iter(reserve_ids(Invoice, len(contracts) * history_cycles + change_log_count))
    numbers = (f"{HISTORY_NUMBER_PREFIX}{n:09d}" for n in range(1, 10**9))
    schedule_rows, invoice_rows = [], []
    for position, contract in enumerate(contracts):
        subtotal, tax = _full_cycle_amounts(contract)
        for index in range(history_cycles):
            cycle = cycles.cycle_at(contract.start_date, contract.frequency, index)
            anchor = cycles.next_invoice_date(cycle, contract.timing)
            invoice_day = cycles.invoice_date(cycle, contract.timing, 1)
            status, paid_at = _status(rng, invoice_day, as_of)
            schedule_id, invoice_id = next(schedule_ids), next(invoice_ids)
            state = "invoiced" if status == "issued" else "cancelled"
            schedule_rows.append(
                (schedule_id, contract.id, index, cycle.start, cycle.end, anchor, invoice_day)
                + (state, invoice_id, now, now)
            )
            invoice_rows.append(
                (invoice_id, next(numbers), contract.id, schedule_id, "regular")
                + (cycle.start, cycle.end, invoice_day, invoice_day + timedelta(PAYMENT_TERMS_DAYS))
                + (
                    contract.currency,
                    subtotal,
                    tax,
                    subtotal + tax,
                    status,
                    paid_at,
                    "nightly",
                    now,
                )
            )
        if position % 10 == 0 and history_cycles >= 2:
            invoice_rows.append(_change_log_row(contract, next(invoice_ids), next(numbers), now))
    insert_rows(BillingSchedule, SCHEDULE_COLUMNS, schedule_rows)
    insert_rows(Invoice, INVOICE_COLUMNS, invoice_rows)
    return len(invoice_rows)


def _full_cycle_amounts(contract: HistoryContract) -> tuple[Decimal, Decimal]:
    amounts = [
        (line_amount(quantity, price, Fraction(1), contract.currency), rate)
        for quantity, price, rate in contract.lines
    ]
    subtotal = sum((amount for amount, _ in amounts), Decimal(0))
    tax = sum((line_tax(amount, rate, contract.currency) for amount, rate in amounts), Decimal(0))
    return subtotal, tax


def _status(rng: random.Random, invoice_day: date, as_of: date) -> tuple[str, datetime | None]:
    """Void 3 %; of the rest, invoices older than two months 95 % paid, newer ones 60 %."""
    draw = rng.random()
    if draw < 0.03:
        return "void", None
    if draw < (0.95 if (as_of - invoice_day).days > 60 else 0.60):
        paid_on = min(invoice_day + timedelta(days=rng.randrange(1, 40)), as_of)
        return "issued", timezone.make_aware(datetime.combine(paid_on, time(12)))
    return "issued", None


def _change_log_row(
    contract: HistoryContract, invoice_id: int, number: str, now: datetime
) -> tuple:
    """A quantity increase billed after its (second) cycle was invoiced."""
    cycle = cycles.cycle_at(contract.start_date, contract.frequency, 1)
    quantity, price, rate = contract.lines[0]
    amount = line_amount(Decimal(1), price, Fraction(1, 2), contract.currency)
    tax = line_tax(amount, rate, contract.currency)
    day = cycle.end
    return (
        (invoice_id, number, contract.id, None, "change_log", cycle.start, cycle.end, day)
        + (day + timedelta(PAYMENT_TERMS_DAYS), contract.currency, amount, tax, amount + tax)
        + ("issued", None, "nightly", now)
    )
