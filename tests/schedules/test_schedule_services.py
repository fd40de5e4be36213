"""Keeping schedules ahead, re-dating them on offset changes, cancelling them."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from billing_site.errors import BillingError
from contracts import errors as contract_errors
from contracts.models import BillingSettings
from invoicing.services import invoice_generate
from schedules.models import BillingSchedule
from schedules.services import (
    contract_line_change_quantity,
    contract_save,
    schedule_for_cycle,
    schedules_keep_ahead,
)
from tests.factories import BillingContractFactory, ContractLineFactory, UserFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def periods(contract, **filters):
    return list(
        BillingSchedule.objects.filter(contract=contract, **filters)
        .order_by("cycle_index")
        .values_list("period_start", "period_end", "invoice_date", "status")
    )


def test_an_active_contract_gets_every_cycle_to_date_and_three_pending_ahead():
    contract = BillingContractFactory(start_date=D(2026, 1, 1))

    created = schedules_keep_ahead(as_of=D(2026, 3, 15))

    # January to March are due (or current); April to June lie ahead.
    assert created == 6
    assert [p[0] for p in periods(contract)] == [D(2026, m, 1) for m in range(1, 7)]
    assert (
        BillingSchedule.objects.filter(contract=contract, invoice_date__gt=D(2026, 3, 15)).count()
        == 3
    )
    contract.refresh_from_db()
    assert contract.next_invoice_date == D(2026, 1, 1)


def test_keeping_ahead_twice_creates_nothing_the_second_time():
    BillingContractFactory(start_date=D(2026, 1, 1))
    schedules_keep_ahead(as_of=D(2026, 1, 1))

    assert schedules_keep_ahead(as_of=D(2026, 1, 1)) == 0


def test_the_number_ahead_follows_the_billing_settings():
    settings = BillingSettings.load()
    settings.schedules_ahead = 5
    settings.save()
    contract = BillingContractFactory(start_date=D(2026, 1, 1))

    schedules_keep_ahead(as_of=D(2025, 12, 1))

    assert len(periods(contract)) == 5


def test_fewer_schedules_are_kept_where_the_contract_ends_first():
    contract = BillingContractFactory(start_date=D(2026, 1, 1), end_date=D(2026, 2, 10))

    schedules_keep_ahead(as_of=D(2026, 1, 1))

    assert [p[:2] for p in periods(contract)] == [
        (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 10)),
    ]


def test_draft_and_cancelled_contracts_get_no_schedules():
    draft = BillingContractFactory(status="draft")
    cancelled = BillingContractFactory(status="cancelled")

    schedules_keep_ahead(as_of=D(2026, 1, 1))

    assert periods(draft) == [] and periods(cancelled) == []


@time_machine.travel(datetime.datetime(2026, 1, 2, 9, tzinfo=datetime.UTC), tick=False)
def test_changing_the_offset_redates_pending_schedules_only():
    contract = BillingContractFactory(start_date=D(2026, 1, 1))
    ContractLineFactory(contract=contract)
    schedules_keep_ahead(as_of=D(2026, 1, 2))
    invoice_generate(schedule=contract.schedules.get(cycle_index=0), as_of=D(2026, 1, 2))

    contract.invoice_offset_days = -3
    contract_save(contract=contract, changed_fields={"invoice_offset_days"})

    invoiced, *pending = periods(contract)
    assert invoiced == (D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 2), "invoiced")
    assert [(p[0], p[2]) for p in pending] == [
        (D(2026, 2, 1), D(2026, 1, 29)),
        (D(2026, 3, 1), D(2026, 2, 26)),
        (D(2026, 4, 1), D(2026, 3, 29)),
    ]


def test_cancelling_a_contract_cancels_its_pending_schedules():
    contract = BillingContractFactory(start_date=D(2026, 1, 1))
    schedules_keep_ahead(as_of=D(2026, 1, 1))

    contract.status = "cancelled"
    contract_save(contract=contract, changed_fields={"status"})

    assert {p[3] for p in periods(contract)} == {"cancelled"}
    contract.refresh_from_db()
    assert contract.next_invoice_date is None


def test_an_earlier_end_date_cuts_the_last_cycle_and_cancels_the_ones_after():
    contract = BillingContractFactory(start_date=D(2026, 1, 1))
    schedules_keep_ahead(as_of=D(2026, 1, 1))

    contract.end_date = D(2026, 2, 14)
    contract_save(contract=contract, changed_fields={"end_date"})

    assert [(p[0], p[1], p[3]) for p in periods(contract)] == [
        (D(2026, 1, 1), D(2026, 1, 31), "pending"),
        (D(2026, 2, 1), D(2026, 2, 14), "pending"),
        (D(2026, 3, 1), D(2026, 3, 31), "cancelled"),
    ]


def test_start_date_cannot_change_once_a_cycle_is_invoiced():
    contract = BillingContractFactory(start_date=D(2026, 1, 1))
    ContractLineFactory(contract=contract)
    schedules_keep_ahead(as_of=D(2026, 1, 2))
    invoice_generate(schedule=contract.schedules.get(cycle_index=0), as_of=D(2026, 1, 2))

    contract.start_date = D(2026, 1, 15)
    with pytest.raises(BillingError, match="cannot change once a cycle has been invoiced"):
        contract_save(contract=contract, changed_fields={"start_date"})


def test_changing_a_quantity_writes_the_change_log_in_the_same_transaction():
    line = ContractLineFactory(quantity=Decimal(10))
    manager = UserFactory()

    change = contract_line_change_quantity(
        line=line, quantity=Decimal(12), effective_date=D(2026, 2, 10), user=manager
    )

    line.refresh_from_db()
    assert line.quantity == Decimal(12)
    assert (change.quantity_before, change.quantity_after, change.changed_by) == (10, 12, manager)
    assert change.effective_date == D(2026, 2, 10)


@pytest.mark.parametrize(
    ("quantity", "effective_date", "message"),
    [
        (Decimal(-1), D(2026, 2, 10), contract_errors.QUANTITY_NEGATIVE),
        (Decimal(5), D(2025, 12, 31), "outside the contract"),
    ],
)
def test_a_bad_quantity_change_is_refused_and_writes_nothing(quantity, effective_date, message):
    line = ContractLineFactory(quantity=Decimal(10))

    with pytest.raises(BillingError, match=message):
        contract_line_change_quantity(line=line, quantity=quantity, effective_date=effective_date)

    line.refresh_from_db()
    assert line.quantity == Decimal(10) and not line.changes.exists()


def test_a_future_cycle_gets_its_schedule_and_every_missing_one_before_it():
    contract = BillingContractFactory(start_date=D(2026, 1, 1))
    schedules_keep_ahead(as_of=D(2026, 1, 1))

    schedule = schedule_for_cycle(contract=contract, cycle_index=6)

    assert (schedule.period_start, schedule.status) == (D(2026, 7, 1), "pending")
    assert [p[0].month for p in periods(contract)] == [1, 2, 3, 4, 5, 6, 7]


def test_a_cycle_past_the_contract_end_has_no_schedule():
    contract = BillingContractFactory(start_date=D(2026, 1, 1), end_date=D(2026, 3, 31))

    with pytest.raises(ValueError, match="after the contract ends"):
        schedule_for_cycle(contract=contract, cycle_index=3)
    assert periods(contract) == []


def test_keeping_ahead_skips_a_schedule_another_process_added_first_and_adds_the_rest():
    from django.utils import timezone

    from schedules.services.keeping import _schedule_row, _schedules_add

    contract = BillingContractFactory(start_date=D(2026, 1, 1))
    schedules_keep_ahead(as_of=D(2026, 1, 1))
    last = BillingSchedule.objects.filter(contract=contract).order_by("cycle_index").last()
    now = timezone.now()
    # What this process read said cycles +1 and +2 were missing; another added +1 since.
    rows = [
        _schedule_row(
            contract.pk,
            contract.cycle_at(index),
            contract.billing_timing,
            contract.invoice_offset_days,
            now,
        )
        for index in (last.cycle_index + 1, last.cycle_index + 2)
    ]
    _schedules_add(rows[:1], [])

    _schedules_add(rows, [])

    assert list(
        BillingSchedule.objects.filter(contract=contract, cycle_index__gt=last.cycle_index)
        .order_by("cycle_index")
        .values_list("cycle_index", flat=True)
    ) == [last.cycle_index + 1, last.cycle_index + 2]
