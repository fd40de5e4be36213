"""The cycles Generate Invoice lists (invoicing/selectors/cycles.py)."""

from __future__ import annotations

import datetime

import pytest

from invoicing.selectors.cycles import FUTURE_CYCLES_LISTED, contract_cycle_choices
from tests.invoicing.helpers import active_contract

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
