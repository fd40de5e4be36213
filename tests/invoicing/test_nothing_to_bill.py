"""A cycle with nothing to bill gets no invoice; its schedule says why (issue 13, item 5)."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from invoicing import errors
from invoicing.drafting import cycle_label
from invoicing.errors import GenerationError
from invoicing.models import Door, GenerationJob, Invoice
from invoicing.services import invoice_generate
from invoicing.services.batches import batch_generate_cycles
from invoicing.services.writing import Provenance
from schedules.models import BillingSchedule
from schedules.services import (
    contract_line_change_quantity,
    contract_save,
    schedules_keep_ahead,
)
from schedules.services.keeping import schedules_reopen_nothing_to_bill
from tests.factories import ContractLineFactory, InvoiceFactory
from tests.invoicing.helpers import billing_state, contract_with_line, invoices_of, run_nightly

D = datetime.date
pytestmark = pytest.mark.django_db


def line_ended_in_january():
    """Monthly in advance from 1 Jan 2026; its only line ends on 31 January."""
    contract = contract_with_line(start_date=D(2026, 1, 1))
    contract.lines.update(end_date=D(2026, 1, 31))
    return contract


def schedule_of(contract, cycle_index):
    return BillingSchedule.objects.get(contract=contract, cycle_index=cycle_index)


def test_cycles_after_every_line_has_ended_get_no_invoice_and_say_why():
    contract = line_ended_in_january()

    run = run_nightly(D(2026, 3, 10))

    (january,) = invoices_of(contract)
    assert january.period_start == D(2026, 1, 1)
    assert not Invoice.objects.filter(total=0).exists()
    for index in (1, 2):
        schedule = schedule_of(contract, index)
        assert schedule.status == BillingSchedule.Status.NOTHING_TO_BILL
        assert schedule.resulting_invoice is None
        assert schedule.state_label == "Inactive / Nothing to bill"
    # Its job generated January: the empty cycles do not turn it into a skip.
    assert run.jobs.get(contract=contract).status == GenerationJob.Status.SUCCEEDED


def test_a_night_with_only_nothing_to_bill_skips_the_contract_with_the_reason():
    contract = line_ended_in_january()
    run_nightly(D(2026, 1, 2))

    run = run_nightly(D(2026, 2, 2))

    job = run.jobs.get(contract=contract)
    assert job.status == GenerationJob.Status.SKIPPED
    assert job.message == errors.SKIPPED_NOTHING_TO_BILL.format(
        cycle=cycle_label(D(2026, 2, 1), D(2026, 2, 28))
    )
    contract.refresh_from_db()
    assert contract.next_invoice_date == D(2026, 3, 1)  # the next cycle still Pending


def test_the_next_night_does_not_draft_a_set_aside_cycle_again():
    contract = line_ended_in_january()
    run_nightly(D(2026, 2, 2))

    run = run_nightly(D(2026, 2, 3))

    assert not run.jobs.filter(contract=contract).exists()
    assert schedule_of(contract, 1).status == BillingSchedule.Status.NOTHING_TO_BILL


def test_a_line_with_quantity_zero_all_cycle_bills_nothing():
    contract = contract_with_line(start_date=D(2026, 1, 1), quantity="0")

    run_nightly(D(2026, 1, 2))

    assert invoices_of(contract) == []
    assert schedule_of(contract, 0).status == BillingSchedule.Status.NOTHING_TO_BILL


def test_raising_a_quantity_from_zero_makes_the_set_aside_cycle_billable_again():
    contract = contract_with_line(start_date=D(2026, 1, 1), quantity="0")
    run_nightly(D(2026, 1, 2))

    contract_line_change_quantity(
        line=contract.lines.get(), quantity=Decimal("3"), effective_date=D(2026, 1, 1)
    )
    run_nightly(D(2026, 1, 3))

    january = schedule_of(contract, 0)
    assert january.status == BillingSchedule.Status.INVOICED
    assert january.resulting_invoice.total == Decimal("45.00")  # 3 x 12.50 + 20 %


def test_a_bulk_run_skips_a_cycle_with_nothing_to_bill_and_sets_its_schedule_aside():
    contract = line_ended_in_january()
    with transaction.atomic():
        outcome = batch_generate_cycles(
            [contract.pk],
            cycle_date=D(2026, 2, 15),
            as_of=D(2026, 2, 15),
            provenance=Provenance(door=Door.BULK),
        )

    assert dict(outcome.invoices) == {}
    assert outcome.skipped == {
        contract.pk: errors.SKIPPED_NOTHING_TO_BILL.format(
            cycle=cycle_label(D(2026, 2, 1), D(2026, 2, 28))
        )
    }
    assert schedule_of(contract, 1).status == BillingSchedule.Status.NOTHING_TO_BILL


def test_a_bulk_replace_never_replaces_an_invoice_with_an_empty_one():
    contract = line_ended_in_january()
    schedules_keep_ahead(as_of=D(2026, 2, 15), contract_ids=[contract.pk])
    invoice = InvoiceFactory(schedule=schedule_of(contract, 1))  # February, invoiced earlier
    with transaction.atomic():
        outcome = batch_generate_cycles(
            [contract.pk],
            cycle_date=D(2026, 2, 15),
            as_of=D(2026, 2, 15),
            provenance=Provenance(door=Door.BULK),
            replace=True,
        )

    assert outcome.failed == {
        contract.pk: errors.NOTHING_TO_BILL_CANNOT_REPLACE.format(
            cycle=cycle_label(D(2026, 2, 1), D(2026, 2, 28)), number=invoice.number
        )
    }
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    assert schedule_of(contract, 1).status == BillingSchedule.Status.INVOICED


def test_manual_generation_of_a_cycle_with_nothing_to_bill_is_refused_and_writes_nothing():
    contract = line_ended_in_january()
    schedules_keep_ahead(as_of=D(2026, 2, 15), contract_ids=[contract.pk])
    before = billing_state()

    with pytest.raises(GenerationError) as refused:
        invoice_generate(schedule=schedule_of(contract, 1), as_of=D(2026, 2, 15))

    assert str(refused.value) == errors.NOTHING_TO_BILL.format(
        cycle=cycle_label(D(2026, 2, 1), D(2026, 2, 28))
    )
    assert billing_state() == before


def test_a_line_added_later_makes_a_set_aside_cycle_billable_again():
    contract = line_ended_in_january()
    run_nightly(D(2026, 2, 2))
    ContractLineFactory(
        contract=contract, start_date=D(2026, 2, 1), quantity=Decimal("2"), unit_price=10
    )

    assert schedules_reopen_nothing_to_bill(contract=contract) == 1
    run_nightly(D(2026, 2, 3))

    february = schedule_of(contract, 1)
    assert february.status == BillingSchedule.Status.INVOICED
    assert february.resulting_invoice.total == Decimal("24.00")


def test_new_terms_reopen_and_re_date_a_set_aside_cycle():
    contract = line_ended_in_january()
    run_nightly(D(2026, 2, 2))

    contract.end_date = D(2026, 2, 20)
    contract_save(contract=contract, changed_fields={"end_date"})

    february = schedule_of(contract, 1)
    assert february.status == BillingSchedule.Status.PENDING
    assert february.period_end == D(2026, 2, 20)


def test_the_database_refuses_a_nothing_to_bill_schedule_with_an_invoice():
    invoice = InvoiceFactory()
    schedule = invoice.schedule

    with pytest.raises(IntegrityError), transaction.atomic():
        BillingSchedule.objects.filter(pk=schedule.pk).update(
            status=BillingSchedule.Status.NOTHING_TO_BILL
        )
