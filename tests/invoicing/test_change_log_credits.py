"""Change-log decreases billed as credit notes: each takes back part of the live invoice of
its cycle, line for line, billed once whichever door runs first, never past what is left
of the invoice."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import BillingSettings
from invoicing import errors
from invoicing.errors import GenerationError
from invoicing.models import Door, Invoice
from invoicing.services import generation_run_execute, invoice_generate
from invoicing.services.bulk import bulk_change_log_run_start
from invoicing.services.change_log import (
    batch_generate_change_log,
    change_log_invoice_replace,
)
from invoicing.services.change_log_writing import DECREASE_REASON
from invoicing.services.voiding import invoice_void
from invoicing.services.writing import Provenance
from schedules.services import schedule_for_cycle
from tests.invoicing.helpers import billing_state, run_nightly
from tests.invoicing.test_change_log import (
    BILLED_ON,
    YEAR,
    bill,
    bill_all,
    change,
    invoiced_contract,
)

D = datetime.date


def bulk_run(*contracts):
    run = bulk_change_log_run_start(
        contract_ids=[c.pk for c in contracts],
        period_start=YEAR[0],
        period_end=YEAR[1],
        enqueue=False,
    )
    return generation_run_execute(run)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "unit_price", "amount", "tax"),
    [
        # 10 → 4 seats from 10 Jan: -6 × 12.50 × 22/31 = -53.2258… → -53.23, tax -10.646 → -10.65
        ("EUR", "12.50", Decimal("-53.23"), Decimal("-10.65")),
        # in yen: -6 × 1,250 × 22/31 = -5,322.58… → -5,323, tax -1,064.6 → -1,065
        ("JPY", "1250", Decimal("-5323"), Decimal("-1065")),
    ],
)
def test_a_decrease_is_a_credit_note_taking_back_part_of_its_cycles_invoice(
    currency, unit_price, amount, tax
):
    contract = invoiced_contract(currency=currency, unit_price=unit_price)
    january = contract.invoices.get()
    decrease = change(contract, "4", D(2026, 1, 10))

    note = bill(contract)

    january.refresh_from_db()
    decrease.refresh_from_db()
    (line,) = note.lines.all()
    assert note.is_credit_note and note.credits == january and note.currency == currency
    assert (line.quantity, line.unit_price, line.amount, line.tax_amount) == (
        Decimal(-6),
        Decimal(unit_price),
        amount,
        tax,
    )
    assert (line.period_start, line.period_end) == (D(2026, 1, 10), D(2026, 1, 31))
    assert (note.period_start, note.period_end) == (D(2026, 1, 10), D(2026, 1, 31))
    assert line.change_id == decrease.pk and line.contract_line_id == decrease.line_id
    assert line.credited_line == january.lines.get()
    assert (note.subtotal, note.tax_total, note.total) == (amount, tax, amount + tax)
    assert decrease.billed_invoice == note
    assert january.credited_total == -(amount + tax)
    assert "record a new quantity change" in note.credit_reason
    assert not Invoice.objects.filter(kind="change_log").exists()


@pytest.mark.django_db
def test_a_contract_with_both_gets_one_invoice_and_one_credit_note():
    contract = invoiced_contract(unit_price="31", cycles=(0, 1))
    up = change(contract, "15", D(2026, 1, 10))
    down = change(contract, "12", D(2026, 1, 20))
    down_again = change(contract, "9", D(2026, 2, 15))

    invoice, january_note, february_note = bill_all(contract)

    assert invoice.kind == "change_log" and not invoice.is_credit_note
    assert [(line.change_id, line.amount) for line in invoice.lines.all()] == [
        (up.pk, Decimal("110.00"))
    ]
    # One credit note per invoice taken back from: January's and February's.
    assert january_note.credits.schedule.cycle_index == 0
    assert [(line.change_id, line.amount) for line in january_note.lines.all()] == [
        (down.pk, Decimal("-36.00"))  # -3 × 31 × 12/31
    ]
    assert february_note.credits.schedule.cycle_index == 1
    assert [(line.change_id, line.amount) for line in february_note.lines.all()] == [
        (down_again.pk, Decimal("-46.50"))  # -3 × 31 × 14/28
    ]


def by_manual_door(contract):
    bill(contract)


def by_bulk_door(contract):
    bulk_run(contract)


def by_nightly_option(contract):
    settings = BillingSettings.load()
    settings.change_log_nightly = True
    settings.save()
    run_nightly(D(2026, 2, 1), contract_ids=[contract.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second"),
    [
        (by_manual_door, by_bulk_door),
        (by_bulk_door, by_manual_door),
        (by_nightly_option, by_bulk_door),
        (by_bulk_door, by_nightly_option),
    ],
)
def test_every_decrease_is_credited_once_whichever_door_runs_first(first, second):
    contract = invoiced_contract(cycles=(0, 1))
    decrease = change(contract, "4", D(2026, 1, 10))

    first(contract)
    try:
        second(contract)
    except GenerationError as refusal:  # the manual door refuses what is billed already
        assert str(refusal) == errors.NO_CHANGES

    decrease.refresh_from_db()
    (note,) = Invoice.objects.credit_notes()
    assert decrease.billed_invoice == note and note.lines.get().change_id == decrease.pk
    assert not Invoice.objects.filter(kind="change_log").exists()


@pytest.mark.django_db
def test_a_bulk_job_with_both_writes_one_of_each_and_lists_them():
    contract = invoiced_contract()
    change(contract, "15", D(2026, 1, 10))
    change(contract, "12", D(2026, 1, 20))

    run = bulk_run(contract)

    job = run.jobs.get()
    assert (job.status, job.message, job.invoice_count) == (
        "succeeded",
        "1 invoice and 1 credit note generated.",
        2,
    )
    invoice, note = job.invoices.order_by("pk")
    assert invoice.kind == "change_log" and invoice.total == Decimal("132.00")  # 110 + 20 %
    assert note.is_credit_note and note.total == Decimal("-43.20")  # -36 + 20 %
    assert note.credits == contract.invoices.live_regular().get()
    assert note.generated_via == Door.BULK


@pytest.mark.django_db
def test_a_credit_past_what_is_left_of_the_invoice_is_refused_and_writes_nothing():
    # January billed 10 × 31 + 20 % = 372.00; 30 seats taken back from 2 Jan is 1,080.00.
    contract = invoiced_contract()
    change(contract, "30", D(2026, 1, 1))
    change(contract, "0", D(2026, 1, 2))
    before = billing_state()

    with pytest.raises(GenerationError) as refusal:
        bill_all(contract)

    january = contract.invoices.get()
    assert str(refusal.value) == errors.CREDIT_EXCEEDS_LEFT.format(
        number=january.number, left="EUR\xa0372.00"
    )
    assert billing_state() == before
    assert not contract.lines.get().changes.filter(billed_invoice__isnull=False).exists()


@pytest.mark.django_db
def test_in_a_run_the_contract_whose_credit_exceeds_its_invoice_fails_alone():
    refused, credited = invoiced_contract(), invoiced_contract()
    change(refused, "30", D(2026, 1, 1))
    change(refused, "0", D(2026, 1, 2))
    change(credited, "4", D(2026, 1, 10))

    run = bulk_run(refused, credited)

    failed = run.jobs.get(contract=refused)
    assert failed.status == "failed"
    assert failed.message == errors.CREDIT_EXCEEDS_LEFT.format(
        number=refused.invoices.get().number, left="EUR\xa0372.00"
    )
    assert refused.invoices.count() == 1  # its January invoice only: no invoice, no credit
    assert run.jobs.get(contract=credited).message == "1 credit note generated."
    # -6 seats × 31 × 22/31 = -132.00, plus 20 % tax
    assert credited.invoices.credit_notes().get().total == Decimal("-158.40")


@pytest.mark.django_db
def test_a_decrease_credit_note_cannot_be_voided_or_replaced_and_says_how_to_undo_it():
    contract = invoiced_contract()
    change(contract, "4", D(2026, 1, 10))
    note = bill(contract)
    refusal = errors.CHANGE_LOG_CREDIT_NOT_CORRECTABLE.format(number=note.number)

    with pytest.raises(GenerationError, match="record a new quantity change"):
        invoice_void(invoice=note)
    with pytest.raises(GenerationError) as replaced:
        change_log_invoice_replace(invoice=note, as_of=BILLED_ON)

    assert str(replaced.value) == refusal
    assert note.credit_reason == DECREASE_REASON
    # Undone by a new quantity change: the next billing invoices it.
    change(contract, "10", D(2026, 1, 10))
    assert bill(contract).total == -note.total == Decimal("158.40")


@pytest.mark.django_db
def test_voiding_the_credited_invoice_takes_back_what_is_left_and_its_cycle_bills_the_decrease():
    contract = invoiced_contract()
    january = contract.invoices.get()
    change(contract, "4", D(2026, 1, 10))
    decrease_note = bill(contract)

    invoice_void(invoice=january)
    again = invoice_generate(
        schedule=schedule_for_cycle(contract=contract, cycle_index=0), as_of=BILLED_ON
    )

    january.refresh_from_db()
    void_note = january.credit_notes.exclude(pk=decrease_note.pk).get()
    assert january.credited_total == january.total == Decimal("372.00")
    assert void_note.total == Decimal("-372.00") - decrease_note.total
    # 10 seats for 9 days and 4 for 22: what January bills, net of every credit.
    assert [line.quantity for line in again.lines.all()] == [Decimal(10), Decimal(4)]
    assert january.total + decrease_note.total + void_note.total + again.total == again.total


@pytest.mark.django_db
def test_replacing_a_change_log_invoice_rebills_its_increases_and_leaves_the_credit_note():
    contract = invoiced_contract()
    up = change(contract, "15", D(2026, 1, 10))
    change(contract, "12", D(2026, 1, 20))
    first, note = bill_all(contract)

    second = change_log_invoice_replace(invoice=first, as_of=D(2026, 3, 2))

    up.refresh_from_db()
    assert up.billed_invoice == second and second.replaces == first
    assert [line.amount for line in second.lines.all()] == [Decimal("110.00")]
    assert Invoice.objects.credit_notes().filter(credits=first).get().total == -first.total
    assert list(Invoice.objects.credit_notes().filter(credits__kind="regular")) == [note]


def credit_batch_queries(contract_count: int) -> int:
    contracts = [invoiced_contract() for _ in range(contract_count)]
    for contract in contracts:
        change(contract, "12", D(2026, 1, 10))
        change(contract, "8", D(2026, 1, 20))
    with CaptureQueriesContext(connection) as queries:
        outcome = batch_generate_change_log(
            [contract.pk for contract in contracts],
            period_start=YEAR[0],
            period_end=YEAR[1],
            as_of=BILLED_ON,
            provenance=Provenance(door=Door.BULK),
        )
    assert len(outcome.invoices) == len(outcome.credit_notes) == contract_count, outcome
    return len(queries)


@pytest.mark.django_db
def test_a_batch_with_credits_runs_as_many_queries_for_six_contracts_as_for_two():
    assert credit_batch_queries(6) == credit_batch_queries(2)


@pytest.mark.django_db
def test_a_decrease_of_a_free_line_takes_nothing_back_and_is_billed_at_zero_on_the_invoice():
    contract = invoiced_contract(unit_price="0")
    decrease = change(contract, "4", D(2026, 1, 10))

    invoice = bill(contract)

    decrease.refresh_from_db()
    assert invoice.kind == "change_log" and invoice.total == 0
    assert decrease.billed_invoice == invoice
    assert not Invoice.objects.credit_notes().exists()


@pytest.mark.django_db
def test_replacing_the_credited_invoice_credits_what_is_left_and_bills_the_decrease_once():
    contract = invoiced_contract()
    january = contract.invoices.get()
    decrease = change(contract, "4", D(2026, 1, 10))
    decrease_note = bill(contract)

    replacement = invoice_generate(schedule=january.schedule, replace=True, as_of=BILLED_ON)

    january.refresh_from_db()
    decrease.refresh_from_db()
    assert january.status == "replaced" and january.credited_total == january.total
    assert decrease.billed_invoice == decrease_note  # not billed a second time
    # 10 seats × 9 days + 4 × 22 = 90 + 88, plus 20 %: what January now costs, once.
    assert replacement.total == Decimal("213.60")
    assert sum(note.total for note in january.credit_notes.all()) == -january.total


@pytest.mark.django_db
def test_the_nightly_option_credits_a_decrease_and_its_job_says_so():
    contract = invoiced_contract(cycles=(0, 1))
    change(contract, "4", D(2026, 1, 10))
    settings = BillingSettings.load()
    settings.change_log_nightly = True
    settings.save()

    run = run_nightly(D(2026, 2, 1), contract_ids=[contract.pk])

    job = run.jobs.get(contract=contract)
    assert (job.status, job.message) == ("succeeded", "1 credit note generated.")
    assert [note.total for note in job.invoices.all()] == [Decimal("-158.40")]
    assert job.invoices.get().generated_via == Door.COMMAND  # run_nightly's door


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "unit_price", "regular", "increase_part"),
    [
        # January: 10 × 31 = 310.00 + 62.00. +20 from 2 Jan: 20 × 31 × 30/31 = 600.00 + 120.00
        # on a change-log invoice. 30 → 0 from 3 Jan: 30 × 31 × 29/31 = 870.00, tax 174.00:
        # all that is left of January (310.00 + 62.00), the rest (560.00 + 112.00) of the
        # increase's invoice.
        ("EUR", "31", (Decimal("-310.00"), Decimal("-62.00")), (Decimal("-560"), Decimal("-112"))),
        # Yen: 12,500 + 2,500; +20 seats: 24,193.5 → 24,194 + 4,839; -30 seats × 29/31:
        # 35,080.6 → 35,081, tax 7,016.2 → 7,016: 12,500 + 2,500, then 22,581 + 4,516.
        ("JPY", "1250", (Decimal(-12500), Decimal(-2500)), (Decimal(-22581), Decimal(-4516))),
    ],
)
def test_a_decrease_larger_than_the_invoice_credits_the_rest_from_the_increase_invoice(
    currency, unit_price, regular, increase_part
):
    contract = invoiced_contract(currency=currency, unit_price=unit_price)
    january = contract.invoices.get()
    change(contract, "30", D(2026, 1, 2))
    increase = bill(contract)
    decrease = change(contract, "0", D(2026, 1, 3))

    notes = bill_all(contract)

    assert [note.credits for note in notes] == [january, increase]
    assert [(n.subtotal, n.tax_total) for n in notes] == [regular, increase_part]
    assert all(note.lines.get().change_id == decrease.pk for note in notes)
    decrease.refresh_from_db()
    assert decrease.billed_invoice == notes[0]  # billed once, by the first credit note
    january.refresh_from_db()
    assert january.is_fully_credited
    # Nothing is left to bill: the next run finds no change.
    with pytest.raises(GenerationError):
        bill_all(contract)
