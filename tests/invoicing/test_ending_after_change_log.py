"""Ending a contract in a cycle a change-log decrease already credited part of: the end takes
back only what the cycle still bills after the end date (the quantity after the decrease),
never what the decrease took back already; moving the end back bills exactly that again."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal

import pytest

from invoicing.models import Invoice
from invoicing.services import invoice_generate
from invoicing.services.change_log import change_log_documents_generate
from invoicing.services.ending import contract_end, contract_end_plan
from schedules.services import contract_line_change_quantity
from tests.invoicing.helpers import active_contract

pytestmark = pytest.mark.django_db

AS_OF = D(2026, 3, 15)
Money = Decimal


def march_with_decrease(*, currency: str, unit_price: str, tax_rate: str, to: str, on: D):
    """March invoiced for 10 units, then a decrease from `on` billed as a credit note."""
    contract = active_contract(as_of=AS_OF, currency=currency)
    contract.lines.update(unit_price=Money(unit_price), tax_rate=Money(tax_rate))
    march = invoice_generate(schedule=contract.schedules.get(cycle_index=2), as_of=AS_OF)
    contract_line_change_quantity(line=contract.lines.get(), quantity=Money(to), effective_date=on)
    (decrease,) = change_log_documents_generate(
        contract=contract, period_start=D(2026, 3, 1), period_end=D(2026, 3, 31), as_of=AS_OF
    )
    contract.refresh_from_db()
    return contract, march, decrease


def end_figures(contract, day):
    contract.refresh_from_db()
    contract_end(contract=contract, end_date=day, user=None)
    note = Invoice.objects.credit_notes().order_by("pk").last()
    return note, (note.subtotal, note.tax_total)


@pytest.mark.parametrize(
    ("currency", "unit_price", "tax_rate", "decrease", "end_credit"),
    [
        # 10 → 4 units from 10 Mar: -6 × 12.50 × 22/31 = -53.23 (tax -10.65). Ending on
        # 20 Mar takes back the 4 units left over 11 days: 4 × 12.50 × 11/31 = 17.7419…
        # → 17.74, tax 3.548 → 3.55; not 10 units' 44.35 (that would credit 26.61 twice).
        (
            "EUR",
            "12.50",
            "20",
            (Money("-53.23"), Money("-10.65")),
            (Money("-17.74"), Money("-3.55")),
        ),
        # Yen: -6 × 1,250 × 22/31 = -5,322.58 → -5,323 (tax -532.3 → -532); the end:
        # 4 × 1,250 × 11/31 = 1,774.19 → 1,774, tax 177.4 → 177.
        ("JPY", "1250", "10", (Money(-5323), Money(-532)), (Money(-1774), Money(-177))),
    ],
)
def test_an_end_after_a_decrease_credits_only_the_quantity_left_after_it(
    today, currency, unit_price, tax_rate, decrease, end_credit
):
    contract, march, decrease_note = march_with_decrease(
        currency=currency, unit_price=unit_price, tax_rate=tax_rate, to="4", on=D(2026, 3, 10)
    )
    assert (decrease_note.subtotal, decrease_note.tax_total) == decrease

    plan = contract_end_plan(contract=contract, end_date=D(2026, 3, 20))
    assert plan.credited_total == sum(end_credit)  # the preview shows the figure written
    note, written = end_figures(contract, D(2026, 3, 20))

    assert written == end_credit and note.credits == march
    (line,) = note.lines.all()
    assert line.credited_line_id == march.lines.get().pk
    march.refresh_from_db()
    assert march.credited_total == -(sum(decrease) + sum(end_credit))


def test_an_end_after_a_decrease_to_zero_credits_nothing_more(today):
    # 10 → 0 from 2 Mar: -10 × 12.50 × 30/31 = -120.97 (tax -24.19); 4.03 + 0.81 is left,
    # billed for 1 March alone: an end on 20 March has nothing to take back.
    contract, march, _ = march_with_decrease(
        currency="EUR", unit_price="12.50", tax_rate="20", to="0", on=D(2026, 3, 2)
    )
    notes_before = Invoice.objects.credit_notes().count()

    contract_end(contract=contract, end_date=D(2026, 3, 20), user=None)

    assert Invoice.objects.credit_notes().count() == notes_before
    march.refresh_from_db()
    assert march.credited_total == Money("145.16")
    assert contract.schedules.get(cycle_index=2).period_end == D(2026, 3, 20)


def test_an_end_before_the_decrease_credits_the_full_quantity_until_it(today):
    # Ending on 5 Mar, before the decrease of 10 Mar: 10 units for 6–9 Mar (4 days) and
    # 4 units for 10–31 Mar (22 days): 12.50 × (40 + 88)/31 = 51.6129… → 51.61, tax 10.32.
    # Together with the decrease's 53.23 that is 125.00 × 26/31 = 104.84: every day after
    # the end, once.
    contract, march, _ = march_with_decrease(
        currency="EUR", unit_price="12.50", tax_rate="20", to="4", on=D(2026, 3, 10)
    )

    _, written = end_figures(contract, D(2026, 3, 5))

    assert written == (Money("-51.61"), Money("-10.32"))


def test_removing_the_end_after_a_decrease_bills_back_exactly_what_the_end_credited(today):
    contract, march, _ = march_with_decrease(
        currency="EUR", unit_price="12.50", tax_rate="20", to="4", on=D(2026, 3, 10)
    )
    end_note, _ = end_figures(contract, D(2026, 3, 20))
    contract.refresh_from_db()

    contract_end(contract=contract, end_date=None, user=None)

    again = Invoice.objects.live().filter(contract=contract).exclude(pk=march.pk).get()
    assert again.total == -end_note.total == Money("21.29")
