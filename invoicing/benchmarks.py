"""A synthetic book for the generation benchmark, written with COPY in seconds.

Every contract has exactly one cycle due on the benchmark's as-of date, across all
frequencies, both timings and two currencies, so N contracts give N invoices.
"""

from __future__ import annotations

import functools
import multiprocessing
import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import django
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils import timezone

from billing_site.bulk import insert_rows, reserve_ids
from contracts.models import BILLING_TERMS, BillingContract, ContractLine, Customer
from invoicing.bench_history import HistoryContract, bench_history_create
from schedules import cycles
from schedules.services import schedules_keep_ahead

if TYPE_CHECKING:  # worker processes import this module before django.setup()
    from invoicing.models import GenerationRun

BENCH_PREFIX = "BENCH-"
BILLING_TABLES = (
    "invoicing_invoiceline",
    "invoicing_invoice",
    "invoicing_generationjob",
    "invoicing_generationrun",
    "invoicing_invoicenumbersequence",
    "schedules_billingschedule",
    "contracts_contractchange",
    "contracts_contractline",
    "contracts_billingcontract",
    "contracts_customer",
)


def bench_database_reset() -> None:
    """Empty the billing tables. Refuses a database holding anything but a bench book."""
    if BillingContract.objects.exclude(number__startswith=BENCH_PREFIX).exists():
        raise ValueError(
            "This database holds real contracts: run the benchmark on a database of its own "
            "(DATABASE_URL=postgres://.../billing_bench)."
        )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(BILLING_TABLES)} RESTART IDENTITY CASCADE")


@transaction.atomic
def bench_billing_manager(username: str) -> Any:
    """A member of the Billing managers group, for timing pages through the web door."""
    # Imported here: worker processes import this module before django.setup().
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get(name="Billing managers"))
    return user


def bench_book_create(
    *,
    contracts: int,
    lines: int,
    as_of: date,
    seed: int = 7,
    history_cycles: int = 0,
    currencies: Sequence[str] = ("JPY", "EUR"),
) -> None:
    """`contracts` active contracts of `lines` lines each, each with one cycle due on `as_of`,
    after `history_cycles` cycles already invoiced (see bench_history). One contract in seven
    bills in the first currency, the others share the rest."""
    rng = random.Random(seed)
    now = timezone.now()
    customer_ids = reserve_ids(Customer, contracts)
    insert_rows(
        Customer,
        ("id", "name", "billing_email", "address", "created_at"),
        [
            (cid, f"Bench customer {i:07d}", f"ap{i}@bench.example", "", now)
            for i, cid in enumerate(customer_ids)
        ],
    )
    contract_ids = reserve_ids(BillingContract, contracts)
    frequencies, timings = list(cycles.Frequency), list(cycles.Timing)
    contract_rows, line_rows = [], []
    for i, (contract_id, customer_id) in enumerate(zip(contract_ids, customer_ids, strict=True)):
        frequency, timing = frequencies[i % len(frequencies)], timings[i % 2]
        currency = currencies[0] if i % 7 == 0 else currencies[1 + i % (len(currencies) - 1)]
        start = _start_due_on(as_of, frequency, timing, history_cycles)
        contract_rows.append(
            (
                contract_id,
                f"{BENCH_PREFIX}{i:07d}",
                customer_id,
                f"Plan {i}",
                start,
                None,
                frequency.value,
                timing.value,
                1,
                currency,
                30,
                "active",
                False,
                False,
                False,
                now,
                now,
            )
        )
        for position in range(lines):
            price = Decimal(rng.randrange(100, 100_000)) / (1 if currency == "JPY" else 100)
            line_rows.append(
                (
                    contract_id,
                    position,
                    f"Product {position}",
                    Decimal(rng.randrange(1, 50)),
                    price,
                    Decimal("20"),
                )
            )
    insert_rows(
        BillingContract,
        (
            "id",
            "number",
            "customer_id",
            "name",
            *BILLING_TERMS,
            "status",
            "auto_send",
            "auto_charge",
            "auto_sync",
            "created_at",
            "updated_at",
        ),
        contract_rows,
    )
    insert_rows(
        ContractLine,
        ("contract_id", "position", "description", "quantity", "unit_price", "tax_rate"),
        line_rows,
    )
    if history_cycles:
        bench_history_create(
            _history_contracts(contract_rows, line_rows),
            history_cycles=history_cycles,
            as_of=as_of,
        )
    # Schedules as the previous night left them, and planner statistics as autovacuum
    # keeps them on a live database.
    schedules_keep_ahead(as_of=as_of - timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _history_contracts(contract_rows: list, line_rows: list) -> list[HistoryContract]:
    lines: dict[int, list] = {}
    for contract_id, _, _, quantity, price, rate in line_rows:
        lines.setdefault(contract_id, []).append((quantity, price, rate))
    return [
        HistoryContract(
            id=row[0],
            start_date=row[4],
            frequency=cycles.Frequency(row[6]),
            timing=cycles.Timing(row[7]),
            currency=row[9],
            lines=lines.get(row[0], []),
        )
        for row in contract_rows
    ]


@functools.cache
def _start_due_on(
    as_of: date, frequency: cycles.Frequency, timing: cycles.Timing, index: int = 0
) -> date:
    """A start date whose cycle `index` has its Invoice Date (offset +1) on `as_of`."""
    anchor = as_of - timedelta(days=1)

    def anchor_of(start: date) -> date:
        return cycles.next_invoice_date(cycles.cycle_at(start, frequency, index), timing)

    # The anchor moves with the start (never backwards): step until it lands on `anchor`.
    start = anchor - relativedelta(months=frequency.months * index)
    while anchor_of(start) > anchor:
        start -= timedelta(days=1)
    while anchor_of(start) < anchor:
        start += timedelta(days=1)
    if anchor_of(start) != anchor:
        raise ValueError(f"No {frequency} start has cycle {index} anchored on {anchor}.")
    return start


def run_in_processes(run: GenerationRun, workers: int) -> int:
    """Share a run's chunks among worker processes; returns their SQL statement count."""
    from invoicing.services import run_finish_if_done, run_job_chunks

    chunks = list(run_job_chunks(run))
    connection.close()  # each process opens its own connection
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=django.setup) as pool:
        statements = sum(pool.starmap(_process_chunk, [(run.pk, *chunk) for chunk in chunks]))
    run_finish_if_done(run)
    return statements


def _process_chunk(run_id: int, first_job_id: int, last_job_id: int) -> int:
    from billing_site.bulk import count_statements
    from invoicing.services import run_chunk_process

    with count_statements() as statements:
        run_chunk_process(run_id=run_id, first_job_id=first_job_id, last_job_id=last_job_id)
    return statements[0]
