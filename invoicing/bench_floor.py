"""The floor of the nightly benchmark: the rows a nightly run writes, the fastest way.

One read (due schedules joined to their contracts and lines), the amounts in plain
Python, COPY for invoices, lines and the next schedules, one set-based UPDATE for the
schedules invoiced, one transaction, no ORM. No job rows, no retries, no checks: what
PostgreSQL and psycopg cost at best, for bench_generation to divide the run by.
The bench book bills full cycles only (no proration, no changes, no contract end).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from invoicing.bench_measure import Measure, timed
from invoicing.line_amounts import line_tax
from invoicing.models import Invoice
from invoicing.money import round_ratio
from schedules import cycles
from schedules.models import BillingSchedule

if TYPE_CHECKING:
    from psycopg import Copy

DUE_ROWS = """
    SELECT s.id, s.contract_id, s.cycle_index, s.period_start, s.period_end, s.invoice_date,
           c.currency, c.payment_terms_days, c.start_date, c.billing_frequency,
           c.billing_timing, c.invoice_offset_days,
           l.id, l.description, l.quantity, l.unit_price, l.tax_rate
    FROM schedules_billingschedule s
    JOIN contracts_billingcontract c ON c.id = s.contract_id
    JOIN contracts_contractline l ON l.contract_id = c.id
    WHERE s.status = 'pending' AND s.invoice_date <= %s AND c.status = 'active'
    ORDER BY s.id, l.position, l.id
"""
INVOICE_COLUMNS = (
    "id, number, contract_id, schedule_id, kind, period_start, period_end, invoice_date, "
    "due_date, currency, subtotal, tax_total, total, status, generated_via, created_at"
)
LINE_COLUMNS = (
    "invoice_id, position, contract_line_id, description, quantity, unit_price, "
    "period_start, period_end, proration, amount, tax_rate, tax_amount"
)
SCHEDULE_COLUMNS = (
    "contract_id, cycle_index, period_start, period_end, next_invoice_date, invoice_date, "
    "status, created_at, updated_at"
)
ONE = Decimal(1)


def floor_generate(*, as_of: date, ahead: int = 3, prefix: str = "FLOOR-") -> int:
    """Write the invoices of every due schedule as the floor does; returns how many.

    Call it inside a transaction the caller rolls back: it leaves the book to the run."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(DUE_ROWS, [as_of])
        rows = cursor.fetchall()
        schedules = [list(group) for _, group in groupby(rows, key=lambda row: row[0])]
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('invoicing_invoice', 'id')) "
            "FROM generate_series(1, %s)",
            [len(schedules)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor
        with raw.copy(f"COPY invoicing_invoiceline ({LINE_COLUMNS}) FROM STDIN") as copy:
            totals = [
                _lines_write(copy, invoice_id, group)
                for invoice_id, group in zip(ids, schedules, strict=True)
            ]
        with raw.copy(f"COPY {Invoice._meta.db_table} ({INVOICE_COLUMNS}) FROM STDIN") as copy:
            for n, (invoice_id, group, (subtotal, tax)) in enumerate(
                zip(ids, schedules, totals, strict=True)
            ):
                s = group[0]
                copy.write_row(
                    (invoice_id, f"{prefix}{n:08d}", s[1], s[0], "regular", s[3], s[4], s[5])
                    + (s[5] + timedelta(days=s[7]), s[6], subtotal, tax, subtotal + tax)
                    + ("issued", "command", now)
                )
        raw.execute(
            f"UPDATE {BillingSchedule._meta.db_table} AS s SET status = 'invoiced', "
            "resulting_invoice_id = u.invoice_id, updated_at = %s "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS u(id, invoice_id) WHERE s.id = u.id",
            [now, [group[0][0] for group in schedules], ids],
        )
        with raw.copy(
            f"COPY {BillingSchedule._meta.db_table} ({SCHEDULE_COLUMNS}) FROM STDIN"
        ) as copy:
            for row in _next_schedules(schedules, ahead, now):
                copy.write_row(row)
        # The deferred foreign-key checks a commit would run, so a rolled-back floor pays them.
        raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return len(schedules)


def _lines_write(copy: Copy, invoice_id: int, group: list[tuple]) -> tuple[Decimal, Decimal]:
    subtotal = tax = Decimal(0)
    currency = group[0][6]
    for position, row in enumerate(group):
        quantity, price, rate = row[14], row[15], row[16]
        q_n, q_d = quantity.as_integer_ratio()
        p_n, p_d = price.as_integer_ratio()
        amount = round_ratio(q_n * p_n, q_d * p_d, currency)
        tax_amount = line_tax(amount, rate, currency)
        subtotal += amount
        tax += tax_amount
        copy.write_row(
            (invoice_id, position, row[12], row[13], quantity, price, row[3], row[4], ONE)
            + (amount, rate, tax_amount)
        )
    return subtotal, tax


def _next_schedules(schedules: list[list[tuple]], ahead: int, now: datetime) -> Iterator[tuple]:
    """The cycle after the last one each contract has (its due one plus `ahead`, as the
    bench book is kept), Pending."""
    for group in schedules:
        s = group[0]
        cycle = cycles.cycle_at(s[8], s[9], s[2] + ahead)
        anchor = cycles.next_invoice_date(cycle, s[10])
        invoice_date = anchor + timedelta(days=s[11])
        yield (s[1], cycle.index, cycle.start, cycle.end, anchor, invoice_date, "pending", now, now)


def floor_step(as_of: date, ahead: int = 3) -> Measure:
    """Time the floor on the current book, then roll it back and vacuum, leaving the book
    as it was for the run."""
    with transaction.atomic():
        measure = timed(lambda: (floor_generate(as_of=as_of, ahead=ahead), 0))
        transaction.set_rollback(True)
    with connection.cursor() as cursor:  # the rolled-back rows must not slow the run
        cursor.execute("VACUUM ANALYZE")
    return measure
