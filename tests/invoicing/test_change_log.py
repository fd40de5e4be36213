"""Change-log billing: changes after their cycle was invoiced, billed once, prorated;
increases on a change-log invoice, decreases on credit notes of their cycle's invoice."""

import datetime
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing_site.errors import BillingError
from contracts.models import BillingSettings
from invoicing import errors
from invoicing.errors import BulkError, GenerationError
from invoicing.models import Door, Invoice
from invoicing.selectors.drafts import change_log_preview
from invoicing.services import generation_run_execute, invoice_generate
from invoicing.services.bulk import bulk_change_log_run_start
from invoicing.services.change_log import (
    batch_generate_change_log,
    change_log_documents_generate,
    change_log_invoice_replace,
)
from invoicing.services.voiding import invoice_void
from invoicing.services.writing import Provenance
from schedules.services import contract_line_change_quantity, schedule_for_cycle
from tests.conftest import PROJECT_DIR
from tests.invoicing.helpers import contract_with_line, run_nightly

D = datetime.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))


def invoiced_contract(*, currency="EUR", unit_price="31", quantity="10", cycles=(0,), **terms):
    """A contract with cycles already invoiced, as an in-advance contract would be."""
    contract = contract_with_line(
        start_date=D(2026, 1, 1),
        currency=currency,
        unit_price=unit_price,
        quantity=quantity,
        tax_rate="20",
        **terms,
    )
    for index in cycles:
        invoice_generate(
            schedule=schedule_for_cycle(contract=contract, cycle_index=index), as_of=D(2026, 1, 1)
        )
    return contract


def change(contract, quantity, day):
    return contract_line_change_quantity(
        line=contract.lines.get(), quantity=Decimal(quantity), effective_date=day
    )


BILLED_ON = D(2026, 3, 1)


def bill_all(contract, as_of=BILLED_ON) -> list[Invoice]:
    """Every document the manual door writes: the invoice first, then credit notes."""
    return change_log_documents_generate(
        contract=contract, period_start=YEAR[0], period_end=YEAR[1], as_of=as_of
    )


def bill(contract, as_of=BILLED_ON) -> Invoice:
    """The one document billing the contract's changes."""
    (document,) = bill_all(contract, as_of)
    return document


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "unit_price", "changes", "expected"),
    [
        # +5 seats at 31/seat from Jan 10: 22 of 31 days → 5 × 31 × 22/31 = 110.00
        ("EUR", "31", [("15", D(2026, 1, 10))], [(Decimal(5), Decimal("110.00"))]),
        # several increases in one cycle each give their line
        (
            "EUR",
            "31",
            [("15", D(2026, 1, 10)), ("18", D(2026, 1, 20))],
            [(Decimal(5), Decimal("110.00")), (Decimal(3), Decimal("36.00"))],
        ),
        # on the first day the whole cycle, on the last day one day
        ("EUR", "31", [("11", D(2026, 1, 1))], [(Decimal(1), Decimal("31.00"))]),
        ("EUR", "31", [("11", D(2026, 1, 31))], [(Decimal(1), Decimal("1.00"))]),
        # JPY has no minor unit: 1 × 1,000 × 22/31 = 709.67… → 710
        ("JPY", "1000", [("11", D(2026, 1, 10))], [(Decimal(1), Decimal("710"))]),
    ],
)
def test_each_increase_is_billed_as_delta_times_price_times_the_rest_of_its_cycle(
    currency, unit_price, changes, expected
):
    contract = invoiced_contract(currency=currency, unit_price=unit_price)
    for quantity, day in changes:
        change(contract, quantity, day)

    invoice = bill(contract)

    assert invoice.kind == "change_log" and invoice.schedule is None
    assert [(line.quantity, line.amount) for line in invoice.lines.all()] == expected
    assert all(line.change_id for line in invoice.lines.all())
    assert invoice.subtotal == sum(amount for _, amount in expected)
    assert invoice.total == invoice.subtotal + invoice.tax_total


@pytest.mark.django_db
def test_a_change_in_a_cut_last_cycle_prorates_against_the_full_month():
    contract = invoiced_contract(end_date=D(2026, 2, 14), unit_price="28", cycles=(0, 1))
    change(contract, "11", D(2026, 2, 8))

    (line,) = bill(contract).lines.all()

    # Feb 8 to the cut end on Feb 14: 7 of February's 28 days.
    assert (line.period_start, line.period_end, line.amount) == (
        D(2026, 2, 8),
        D(2026, 2, 14),
        Decimal("7.00"),
    )


@pytest.mark.django_db
def test_a_change_in_a_cycle_not_yet_invoiced_is_left_to_its_regular_invoice():
    contract = invoiced_contract()
    change(contract, "15", D(2026, 2, 10))  # February is not invoiced yet

    assert (
        change_log_preview(
            contract=contract, period_start=YEAR[0], period_end=YEAR[1], as_of=D(2026, 2, 15)
        )
        is None
    )
    with pytest.raises(GenerationError, match="no changes to bill"):
        bill(contract)
    february = invoice_generate(
        schedule=schedule_for_cycle(contract=contract, cycle_index=1), as_of=D(2026, 2, 1)
    )
    assert [line.quantity for line in february.lines.all()] == [Decimal(10), Decimal(15)]
    assert contract.lines.get().changes.get().billed_invoice == february


@pytest.mark.django_db
def test_every_change_is_billed_once_whichever_door_runs_first():
    contract = invoiced_contract()
    billed = change(contract, "15", D(2026, 1, 10))
    first = bill(contract)

    run = bulk_change_log_run_start(
        contract_ids=[contract.pk], period_start=YEAR[0], period_end=YEAR[1], enqueue=False
    )
    generation_run_execute(run)

    billed.refresh_from_db()
    assert billed.billed_invoice == first
    assert run.jobs.get().message == errors.NO_CHANGES
    assert Invoice.objects.filter(kind="change_log").count() == 1


@pytest.mark.django_db
def test_the_bulk_door_bills_one_change_log_invoice_per_contract_with_changes():
    changed = invoiced_contract(billing_timing="arrears")
    unchanged = invoiced_contract()
    change(changed, "12", D(2026, 1, 20))
    change(changed, "14", D(2026, 1, 25))

    run = bulk_change_log_run_start(
        contract_ids=[changed.pk, unchanged.pk],
        period_start=YEAR[0],
        period_end=YEAR[1],
        enqueue=False,
    )
    generation_run_execute(run)

    (invoice,) = Invoice.objects.filter(kind="change_log")
    assert invoice.contract == changed and invoice.lines.count() == 2
    assert run.jobs.get(contract=unchanged).message == "Skipped: no changes to bill."


def change_log_batch_queries(contract_count: int) -> int:
    contracts = [invoiced_contract() for _ in range(contract_count)]
    for contract in contracts:
        change(contract, "12", D(2026, 1, 20))
    with CaptureQueriesContext(connection) as queries:
        outcome = batch_generate_change_log(
            [contract.pk for contract in contracts],
            period_start=YEAR[0],
            period_end=YEAR[1],
            as_of=BILLED_ON,
            provenance=Provenance(door=Door.BULK),
        )
    assert len(outcome.invoices) == contract_count, outcome
    return len(queries)


@pytest.mark.django_db
def test_a_change_log_batch_runs_as_many_queries_for_six_contracts_as_for_two():
    assert change_log_batch_queries(6) == change_log_batch_queries(2)


@pytest.mark.django_db
def test_replacing_rebills_the_same_changes_and_voiding_releases_them():
    contract = invoiced_contract()
    billed = change(contract, "15", D(2026, 1, 10))
    first = bill(contract)

    second = change_log_invoice_replace(invoice=first, as_of=D(2026, 3, 2))
    billed.refresh_from_db()
    first.refresh_from_db()
    assert first.status == "replaced" and second.replaces == first
    assert billed.billed_invoice == second
    assert [line.amount for line in second.lines.all()] == [Decimal("110.00")]

    invoice_void(invoice=second)
    billed.refresh_from_db()
    assert billed.billed_invoice is None
    third = bill(contract)
    assert third.lines.get().change_id == billed.pk


@pytest.mark.django_db
def test_a_cycle_whose_changes_a_change_log_invoice_billed_cannot_be_replaced_until_it_is_void():
    contract = invoiced_contract()
    change(contract, "15", D(2026, 1, 10))
    change_log = bill(contract)
    schedule = schedule_for_cycle(contract=contract, cycle_index=0)

    with pytest.raises(GenerationError, match=change_log.number):
        invoice_generate(schedule=schedule, replace=True, as_of=D(2026, 3, 1))
    invoice_void(invoice=change_log)
    replacement = invoice_generate(schedule=schedule, replace=True, as_of=D(2026, 3, 1))

    assert [line.quantity for line in replacement.lines.all()] == [Decimal(10), Decimal(15)]
    assert contract.lines.get().changes.get().billed_invoice == replacement


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("quantity", "day", "message"),
    [
        ("-1", D(2026, 1, 10), "A quantity cannot be below zero."),
        ("5", D(2025, 12, 31), "outside the contract"),
        ("5", D(2026, 4, 10), "falls in a cancelled billing cycle"),
    ],
)
def test_bad_changes_are_refused_and_write_nothing(quantity, day, message):
    contract = invoiced_contract()
    april = schedule_for_cycle(contract=contract, cycle_index=3)
    type(april).objects.filter(pk=april.pk).update(status="cancelled")

    with pytest.raises(BillingError, match=message):
        change(contract, quantity, day)
    assert not contract.lines.get().changes.exists()


@pytest.mark.django_db
def test_a_period_ending_before_it_starts_is_refused():
    contract = invoiced_contract()

    with pytest.raises(BulkError, match="ends"):
        bulk_change_log_run_start(
            contract_ids=[contract.pk],
            period_start=D(2026, 2, 1),
            period_end=D(2026, 1, 1),
            enqueue=False,
        )
    with pytest.raises(GenerationError, match="ends"):
        change_log_documents_generate(
            contract=contract,
            period_start=D(2026, 2, 1),
            period_end=D(2026, 1, 1),
            as_of=D(2026, 3, 1),
        )


@pytest.mark.slow
def test_two_concurrent_change_log_runs_bill_each_change_once(subprocess_env):
    contracts = [invoiced_contract() for _ in range(40)]
    for contract in contracts:
        change(contract, "15", D(2026, 1, 10))
        change(contract, "12", D(2026, 1, 20))
    numbers = [number for c in contracts for number in ["--contract", c.number]]
    command = [
        sys.executable,
        "manage.py",
        "generate_invoices",
        "--bulk",
        "--change-log",
        "--period-start",
        "2026-01-01",
        "--period-end",
        "2026-12-31",
        *numbers,
    ]

    racers = [
        subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=subprocess_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [racer.communicate(timeout=120)[0] for racer in racers]

    assert [racer.returncode for racer in racers] == [0, 0], outputs
    # Each contract's increase on a change-log invoice, its decrease on a credit note.
    change_logs = Invoice.objects.filter(kind="change_log")
    credit_notes = Invoice.objects.credit_notes()
    assert change_logs.count() == credit_notes.count() == 40
    billed = [*change_logs, *credit_notes]
    assert sorted(
        Invoice.objects.filter(pk__in=[d.pk for d in billed]).values_list(
            "lines__change_id", flat=True
        )
    ) == sorted(pk for c in contracts for pk in c.lines.get().changes.values_list("id", flat=True))


@pytest.mark.django_db
def test_the_command_door_bills_the_changes_of_a_period():
    contract = invoiced_contract()
    change(contract, "15", D(2026, 1, 10))

    call_command(
        "generate_invoices",
        "--bulk",
        "--change-log",
        "--contract",
        contract.number,
        "--period-start",
        "2026-01-01",
        "--period-end",
        "2026-01-31",
        "--date",
        "2026-02-01",
    )

    (invoice,) = Invoice.objects.filter(kind="change_log")
    assert invoice.invoice_date == D(2026, 2, 1) and invoice.total == Decimal("132.00")


@pytest.mark.django_db
def test_the_optional_nightly_step_bills_the_changes_up_to_the_day_before():
    settings = BillingSettings.load()
    settings.change_log_nightly = True
    settings.save()
    contract = invoiced_contract()
    change(contract, "15", D(2026, 1, 10))

    run = run_nightly(D(2026, 1, 20))

    change_log = Invoice.objects.get(kind="change_log")
    assert change_log.total == Decimal("132.00")
    assert run.jobs.get(contract=contract).status == "succeeded"
    assert (
        run_nightly(D(2026, 1, 21)).jobs.filter(contract=contract, status="succeeded").count() == 0
    )


@pytest.mark.django_db
def test_the_nightly_step_is_off_by_default():
    contract = invoiced_contract()
    change(contract, "15", D(2026, 1, 10))

    run_nightly(D(2026, 1, 20))

    assert not Invoice.objects.filter(kind="change_log").exists()
