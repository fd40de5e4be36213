"""The steady-cycle rule of the pure drafting module: where it holds, a draft moved from
another steady cycle is exactly what `draft_regular_invoice` writes; where a line starts or
ends inside the cycle, a change takes effect in it, or the cycle is cut, it does not hold.
No database: plain rows in, drafts compared."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

import pytest

from invoicing.drafting import draft_regular_invoice, draft_steady_cycle, steady_cycle
from schedules import cycles


class Contract(NamedTuple):
    id: int = 1
    number: str = "C-1"
    start_date: date = date(2026, 1, 31)
    end_date: date | None = None
    billing_frequency: str = "monthly"
    currency: str = "EUR"
    payment_terms_days: int = 30


class Line(NamedTuple):
    id: int
    quantity: Decimal = Decimal("3")
    unit_price: Decimal | None = Decimal("19.99")
    tax_rate: Decimal = Decimal("20")
    start_date: date | None = None
    end_date: date | None = None
    description: str = "Seats"


class Change(NamedTuple):
    id: int
    effective_date: date
    quantity_before: Decimal = Decimal("1")
    billed_invoice_id: int | None = None


def cycle(contract: Contract, index: int) -> cycles.Cycle:
    return cycles.cycle_at(
        contract.start_date, contract.billing_frequency, index, contract.end_date
    )


def drafted(contract, lines, changes, index, *, closed=frozenset(), as_of=date(2026, 1, 1)):
    return draft_regular_invoice(
        contract=contract,
        lines=lines,
        changes_by_line=changes,
        cycle=cycle(contract, index),
        schedule_id=100 + index,
        scheduled_invoice_date=cycle(contract, index).start,
        as_of=as_of,
        closed_months=closed,
    )


@pytest.mark.parametrize(
    ("contract", "lines", "changes", "closed"),
    [
        # Month ends: Jan 31 gives Feb 28, then Mar 31; a quarterly and an annual contract.
        (Contract(), [Line(1), Line(2, quantity=Decimal("0.5"))], {}, frozenset()),
        (
            Contract(billing_frequency="quarterly", currency="JPY"),
            [Line(1, Decimal(7), Decimal(1234))],
            {},
            frozenset(),
        ),
        (
            Contract(start_date=date(2024, 2, 29), billing_frequency="annual"),
            [Line(1)],
            {},
            frozenset(),
        ),
        # A change in force before cycle 2 starts, a line that started before it, a line
        # ending after it, a line at quantity 0, and a closed month moving the date.
        (
            Contract(),
            [
                Line(1, start_date=date(2026, 2, 15)),
                Line(2, end_date=date(2027, 1, 1)),
                Line(3, quantity=Decimal(0)),
            ],
            {1: [Change(9, date(2026, 3, 10))]},
            frozenset({date(2026, 5, 1)}),
        ),
    ],
)
def test_a_steady_cycle_moved_from_another_is_the_draft_generation_writes(
    contract, lines, changes, closed
):
    reference = drafted(contract, lines, changes, 3, closed=closed)
    for index in (4, 5, 7):
        assert steady_cycle(lines=lines, changes_by_line=changes, cycle=cycle(contract, index))
        moved = draft_steady_cycle(
            reference,
            contract=contract,
            cycle=cycle(contract, index),
            schedule_id=100 + index,
            scheduled_invoice_date=cycle(contract, index).start,
            as_of=date(2026, 1, 1),
            closed_months=closed,
        )
        assert moved == drafted(contract, lines, changes, index, closed=closed)


@pytest.mark.parametrize(
    ("contract", "lines", "changes", "index"),
    [
        # A line starting inside cycle 2 (Mar 31 - Apr 29), or ending inside it.
        (Contract(), [Line(1), Line(2, start_date=date(2026, 4, 10))], {}, 2),
        (Contract(), [Line(1, end_date=date(2026, 4, 28))], {}, 2),
        # A change taking effect inside the cycle, or on its first day (it covers it).
        (Contract(), [Line(1)], {1: [Change(9, date(2026, 4, 1))]}, 2),
        (Contract(), [Line(1)], {1: [Change(9, date(2026, 3, 31))]}, 2),
        # A change after the cycle: the cycle billed the quantity before it.
        (Contract(), [Line(1)], {1: [Change(9, date(2026, 6, 1))]}, 2),
        # The last cycle cut by the contract's end.
        (Contract(end_date=date(2026, 4, 15)), [Line(1)], {}, 2),
    ],
)
def test_a_cycle_whose_lines_or_changes_move_inside_it_is_not_steady(
    contract, lines, changes, index
):
    assert not steady_cycle(lines=lines, changes_by_line=changes, cycle=cycle(contract, index))
