"""Generating the cycle a manager picked (invoicing/services/manual.py)."""

from __future__ import annotations

import datetime

import pytest

from invoicing.errors import NOT_A_CYCLE, GenerationError
from invoicing.models import AuditEvent
from invoicing.services.manual import cycle_invoice_generate
from schedules.models import BillingSchedule
from tests.invoicing.helpers import active_contract, billing_state

D = datetime.date
pytestmark = pytest.mark.django_db


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
