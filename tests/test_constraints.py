"""What must never happen is refused by PostgreSQL itself, whatever the code does."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from contracts.models import BillingContract, ContractLine
from invoicing.models import Invoice
from schedules.models import BillingSchedule
from tests.factories import (
    BillingContractFactory,
    BillingScheduleFactory,
    ContractLineFactory,
    InvoiceFactory,
)

D = datetime.date


@pytest.fixture
def schedule(db):
    """January 2026 (cycle 0) of a monthly in-advance contract, offset +1."""
    return BillingScheduleFactory(contract=BillingContractFactory(start_date=D(2026, 1, 1)))


def invoice(schedule, number, **fields) -> Invoice:
    return InvoiceFactory(schedule=schedule, number=number, **fields)


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_two_schedules_for_one_cycle_are_refused(schedule):
    assert refused(lambda: BillingScheduleFactory(contract=schedule.contract, cycle_index=0))


def test_two_live_regular_invoices_for_one_schedule_are_refused(schedule):
    invoice(schedule, "A-1")

    assert refused(lambda: invoice(schedule, "A-2"))
    assert not refused(lambda: invoice(schedule, "A-3", status="replaced"))


def test_a_reused_invoice_number_is_refused(schedule):
    invoice(schedule, "A-1", status="replaced")

    assert refused(lambda: invoice(schedule, "A-1"))


def test_totals_that_do_not_add_up_are_refused(schedule):
    assert refused(lambda: invoice(schedule, "A-1", total=Decimal("150.01")))  # 125 + 25


def test_an_invoiced_schedule_without_its_invoice_is_refused(schedule):
    assert refused(lambda: BillingSchedule.objects.filter(pk=schedule.pk).update(status="invoiced"))


@pytest.mark.parametrize(
    "fields",
    [
        {"quantity": Decimal(-1)},
        {"unit_price": Decimal("-0.01")},
        {"tax_rate": Decimal(101)},
        {"start_date": D(2026, 2, 1), "end_date": D(2026, 1, 31)},
    ],
)
def test_impossible_lines_are_refused(db, fields):
    line = ContractLineFactory()

    assert refused(lambda: ContractLine.objects.filter(pk=line.pk).update(**fields))


@pytest.mark.parametrize(
    "fields",
    [
        {"end_date": D(2025, 12, 31)},
        {"invoice_offset_days": 366},
        {"invoice_offset_days": -366},
        {"billing_frequency": "weekly"},
        {"billing_timing": "never"},
        {"currency": "EUX"},
    ],
)
def test_contracts_that_make_no_cycle_possible_are_refused(db, fields):
    contract = BillingContractFactory(start_date=D(2026, 1, 1))

    assert refused(lambda: BillingContract.objects.filter(pk=contract.pk).update(**fields))


@pytest.mark.parametrize("ids", [[], [1], [1, 3]])
def test_the_any_lookup_matches_exactly_the_listed_ids(db, ids):
    contracts = [BillingContractFactory() for _ in range(3)]
    wanted = [contracts[i - 1].pk for i in ids]

    found = set(BillingContract.objects.filter(pk__any=wanted).values_list("id", flat=True))

    assert found == set(wanted)
