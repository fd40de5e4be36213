"""The cycles Generate Invoice lists, and generating the one a manager picked."""

from __future__ import annotations

import datetime

import pytest

from invoicing.errors import GenerationError
from invoicing.models import AuditEvent
from invoicing.selectors.cycles import FUTURE_CYCLES_LISTED, contract_cycle_choices
from invoicing.services.manual import NOT_A_CYCLE, cycle_invoice_generate
from schedules.models import BillingSchedule
from tests.web.helpers import active_contract, billing_state

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "end", "current"),
    [
        (D(2026, 1, 31), None, 1),  # 28 Feb – 30 Mar contains 15 Mar: no drift after February
        (D(2026, 5, 1), None, 0),  # not started yet: the first cycle
        (D(2025, 1, 1), D(2025, 6, 30), 5),  # ended: the last cycle
    ],
)
def test_the_current_cycle_is_the_one_containing_today(start, end, current, today):
    contract = active_contract(start=start, end_date=end, as_of=today)

    assert contract_cycle_choices(contract=contract, as_of=today).current.index == current


def test_the_list_reaches_past_the_kept_schedules_and_stops_at_the_contract_end(today):
    open_ended = active_contract(as_of=today)
    ending = active_contract(as_of=today, end_date=D(2026, 8, 15))

    listed = contract_cycle_choices(contract=open_ended, as_of=today).choices
    cut = contract_cycle_choices(contract=ending, as_of=today).choices

    assert len(listed) == 5 + FUTURE_CYCLES_LISTED + 1  # schedules up to cycle 5
    assert cut[-1].cycle.end == D(2026, 8, 15) and len(cut) == 8


def test_cycles_take_the_dates_of_the_cycle_math(today):
    contract = active_contract(as_of=today, billing_timing="arrears", invoice_offset_days=-2)

    march = contract_cycle_choices(contract=contract, as_of=today).choices[2]

    assert (march.cycle.start, march.cycle.end) == (D(2026, 3, 1), D(2026, 3, 31))
    assert (march.next_invoice_date, march.invoice_date) == (D(2026, 3, 31), D(2026, 3, 29))


def test_a_cycle_the_contract_does_not_have_is_refused_and_nothing_is_written(today, manager):
    contract = active_contract(as_of=today, end_date=D(2026, 4, 30))
    before = billing_state()

    with pytest.raises(GenerationError, match=NOT_A_CYCLE.format(index=7, number=contract.number)):
        cycle_invoice_generate(contract=contract, cycle_index=7, as_of=today, user=manager)

    assert billing_state() == before


def test_a_refused_future_generation_leaves_no_schedule_behind(today, manager):
    contract = active_contract(as_of=today)
    contract.lines.update(unit_price=None)
    kept = set(BillingSchedule.objects.values_list("pk", flat=True))

    with pytest.raises(GenerationError):
        cycle_invoice_generate(contract=contract, cycle_index=11, as_of=today, user=manager)

    assert set(BillingSchedule.objects.values_list("pk", flat=True)) == kept


def test_the_requested_post_invoicing_tasks_are_recorded_in_the_audit_detail(today, manager):
    contract = active_contract(as_of=today)

    invoice = cycle_invoice_generate(
        contract=contract, cycle_index=2, as_of=today, user=manager,
        post_invoicing=["auto_sync", "auto_send"],
    )  # fmt: skip

    event = AuditEvent.objects.get(invoice=invoice)
    assert (event.actor, event.door) == (manager, "manual")
    assert event.detail == f"{invoice.number}; post-invoicing requested: Auto-Send, Auto-Sync"
