"""A quantity change dated outside its contract's dates: one dated after the end is ignored
(nothing is billed after the end; the end credited those days already); one dated before the
start (only data written around the doors has one) fails that contract's job with a message
naming the change and the contract's dates, and the rest of the run is billed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from billing_site.errors import BillingError
from contracts import errors as contract_errors
from contracts.models import BillingSettings, ContractChange
from invoicing import errors
from invoicing.errors import GenerationError
from invoicing.selectors.drafts import change_log_preview
from invoicing.services.change_log import change_log_documents_generate
from invoicing.services.ending import contract_end
from schedules.services import contract_save
from tests.invoicing.helpers import billing_state, contract_with_line, run_nightly
from tests.invoicing.test_change_log import bill_all, change, invoiced_contract

D = datetime.date
pytestmark = pytest.mark.django_db


def change_before_start(contract) -> ContractChange:
    """A change dated before the contract starts, written around the doors (they refuse
    one): as left by data imported or edited in the database."""
    line = contract.lines.get()
    return ContractChange.objects.create(
        line=line, effective_date=D(2025, 12, 20), quantity_before=line.quantity, quantity_after=12
    )


def nightly_with_change_log(as_of: D, contract_ids):
    settings = BillingSettings.load()
    settings.change_log_nightly = True
    settings.save()
    return run_nightly(as_of, contract_ids=contract_ids)


def test_a_nightly_run_fails_only_the_contract_with_a_change_before_its_start():
    billed, broken = invoiced_contract(), invoiced_contract()
    change(billed, "4", D(2026, 1, 10))
    change(broken, "4", D(2026, 1, 10))
    stray = change_before_start(broken)

    run = nightly_with_change_log(D(2026, 2, 1), [billed.pk, broken.pk])

    failed = run.jobs.get(contract=broken)
    assert failed.status == "failed"
    assert failed.message == errors.CHANGE_OUTSIDE_CONTRACT.format(
        line=broken.lines.get().description,
        day="20 Dec 2025",
        before="4",
        after="12",
        start="1 Jan 2026",
        end="open-ended",
    )
    assert broken.invoices.count() == 1  # its January invoice only: nothing written for it
    assert run.jobs.get(contract=billed).message == "1 credit note generated."
    # -6 seats × 31 × 22/31 = -132.00, plus 20 % tax
    assert billed.invoices.credit_notes().get().total == Decimal("-158.40")
    stray.refresh_from_db()
    assert stray.billed_invoice is None


def test_the_manual_door_refuses_a_change_before_the_start_and_writes_nothing():
    contract = invoiced_contract()
    change(contract, "15", D(2026, 1, 10))
    change_before_start(contract)
    before = billing_state()

    with pytest.raises(GenerationError) as refusal:
        change_log_documents_generate(
            contract=contract,
            period_start=D(2025, 1, 1),
            period_end=D(2026, 12, 31),
            as_of=D(2026, 3, 1),
        )

    assert "is outside the contract's dates (1 Jan 2026 to open-ended)" in str(refusal.value)
    assert billing_state() == before


def test_a_change_after_the_contract_ends_is_ignored_until_the_end_moves_later_again():
    contract = invoiced_contract()
    decrease = change(contract, "4", D(2026, 1, 25))
    contract_end(contract=contract, end_date=D(2026, 1, 20), user=None)
    contract.refresh_from_db()

    # The end credited 21-31 Jan at 10 seats: nothing is left to bill after the end.
    assert (
        change_log_preview(
            contract=contract,
            period_start=D(2026, 1, 1),
            period_end=D(2026, 12, 31),
            as_of=D(2026, 2, 1),
        )
        is None
    )
    run = nightly_with_change_log(D(2026, 2, 1), [contract.pk])
    assert not run.jobs.filter(contract=contract, status="failed").exists()
    decrease.refresh_from_db()
    assert decrease.billed_invoice is None

    contract_end(contract=contract, end_date=None, user=None)
    contract.refresh_from_db()
    (note,) = [document for document in bill_all(contract) if document.is_credit_note]
    # Billed again for 21-31 Jan; the decrease from 25 Jan now credits -6 × 31 × 7/31.
    assert (note.subtotal, note.tax_total) == (Decimal("-42.00"), Decimal("-8.40"))


def test_moving_the_start_past_a_recorded_change_is_refused():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    change(contract, "12", D(2026, 1, 10))

    contract.start_date = D(2026, 2, 1)
    with pytest.raises(BillingError) as refusal:
        contract_save(contract=contract, changed_fields={"start_date"})

    assert str(refusal.value) == contract_errors.START_AFTER_CHANGE.format(
        start="1 Feb 2026", day="10 Jan 2026"
    )
    contract.refresh_from_db()
    assert contract.start_date == D(2026, 1, 1)


def test_moving_the_start_to_the_day_of_a_change_is_allowed():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    change(contract, "12", D(2026, 1, 10))

    contract.start_date = D(2026, 1, 10)
    contract_save(contract=contract, changed_fields={"start_date"})

    contract.refresh_from_db()
    assert contract.start_date == D(2026, 1, 10)
