"""What a replacement would change: an issued invoice against the draft replacing it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from invoicing.selectors.comparing import invoice_compare_with_draft
from invoicing.selectors.drafts import invoice_preview
from invoicing.services import invoice_generate
from schedules.models import BillingSchedule
from schedules.services import contract_line_change_quantity
from tests.factories import ContractLineFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def invoiced(contract):
    """The March cycle of the contract, invoiced at 10 × 12.50 + 20 % tax."""
    schedule = BillingSchedule.objects.get(contract=contract, cycle_index=2)
    return schedule, invoice_generate(schedule=schedule)


def compare(schedule, invoice, today):
    return invoice_compare_with_draft(
        invoice=invoice, draft=invoice_preview(schedule=schedule, as_of=today)
    )


def test_an_unchanged_contract_shows_no_difference(invoiced, today):
    comparison = compare(*invoiced, today)

    assert not comparison.has_differences
    assert [line.difference for line in comparison.lines] == ["unchanged"]


def test_a_mid_cycle_quantity_change_shortens_the_old_line_and_adds_a_new_one(invoiced, today):
    schedule, invoice = invoiced
    contract_line_change_quantity(
        line=schedule.contract.lines.get(), quantity=Decimal("20"), effective_date=D(2026, 3, 17)
    )

    comparison = compare(schedule, invoice, today)

    changed, added = comparison.lines
    assert changed.difference == "changed"
    assert changed.changed_fields == ("period_end", "amount", "tax_amount")
    assert (changed.before.period_end, changed.after.period_end) == (D(2026, 3, 31), D(2026, 3, 16))
    assert added.difference == "added" and added.after.quantity == Decimal("20")
    assert comparison.totals[2].change == added.after.amount + added.after.tax_amount + (
        changed.after.amount + changed.after.tax_amount - Decimal("150.00")
    )


def test_a_line_ended_before_the_cycle_shows_as_removed_and_a_new_line_as_added(invoiced, today):
    schedule, invoice = invoiced
    schedule.contract.lines.update(end_date=D(2026, 2, 28))
    ContractLineFactory(
        contract=schedule.contract, description="Support", unit_price=Decimal("50"), quantity=1
    )

    comparison = compare(schedule, invoice, today)

    assert sorted((line.difference, line.shown.description) for line in comparison.lines) == [
        ("added", "Support"),
        ("removed", invoice.lines.get().description),
    ]
    assert [(t.label, t.before, t.after) for t in comparison.totals] == [
        ("Subtotal", Decimal("125.00"), Decimal("50.00")),
        ("Tax", Decimal("25.00"), Decimal("10.00")),
        ("Total", Decimal("150.00"), Decimal("60.00")),
    ]
