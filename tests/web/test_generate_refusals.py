"""Bad input to Generate Invoice: a clear message or a 403, and nothing written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from invoicing import errors
from invoicing.forms import NOT_A_CYCLE_CHOICE
from invoicing.models import Invoice
from invoicing.services.manual import CYCLE_INVOICED_MEANWHILE, INVOICE_CHANGED_MEANWHILE
from schedules.models import BillingSchedule
from tests.invoicing.helpers import active_contract, billing_state
from tests.web.helpers import form_as_shown, generate_url, invoice_cycle, messages_of

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cycle", ["9999", "-1", "two", ""])
def test_a_tampered_cycle_is_refused_and_writes_nothing(manager_client, contract, cycle):
    data = form_as_shown(manager_client, contract, cycle=2) | {"cycle": cycle}
    before = billing_state()

    response = manager_client.post(generate_url(contract), data)

    assert response.status_code == 200
    assert billing_state() == before
    assert len(messages_of(response)) == 1


def test_a_cycle_after_the_contract_end_is_refused(manager_client, today):
    ended_soon = active_contract(as_of=today, end_date=D(2026, 4, 30))
    # May would be cycle 4 of an open-ended contract; this one has none.
    data = form_as_shown(manager_client, ended_soon, cycle=2) | {"cycle": "4"}
    before = billing_state()

    response = manager_client.post(generate_url(ended_soon), data)

    assert billing_state() == before
    assert messages_of(response) == [NOT_A_CYCLE_CHOICE]


def test_an_unknown_contract_is_404_and_writes_nothing(manager_client, contract):
    data = form_as_shown(manager_client, contract, cycle=2)
    before = billing_state()

    assert manager_client.get("/contracts/999999/generate/").status_code == 404
    assert manager_client.post("/contracts/999999/generate/", data).status_code == 404
    assert billing_state() == before


@pytest.mark.parametrize("status", ["draft", "cancelled", "ended"])
def test_a_contract_that_is_not_active_is_refused_and_gets_no_schedule(
    manager_client, today, status
):
    contract = active_contract(as_of=today)
    contract.status = status
    contract.save()
    data = form_as_shown(manager_client, contract, cycle=9, proceed="1")
    before = billing_state()

    response = manager_client.post(generate_url(contract), data)

    assert billing_state() == before
    assert messages_of(response) == [
        errors.CONTRACT_NOT_ACTIVE.format(number=contract.number, status=status)
    ]
    assert response.context["review"].contract_refusal


def test_a_contract_edited_since_the_preview_shows_the_new_preview_instead_of_writing(
    manager_client, contract
):
    data = form_as_shown(manager_client, contract, cycle=2)
    contract.lines.update(unit_price=Decimal("13.00"))  # someone else edits the line
    before = billing_state()

    response = manager_client.post(generate_url(contract), data)

    assert billing_state() == before
    assert messages_of(response) == [errors.PREVIEW_OUTDATED]
    new_fingerprint = response.context["form"]["fingerprint"].value()
    assert new_fingerprint != data["fingerprint"]
    assert response.context["review"].draft.total == Decimal("156.00")
    # Confirming the new preview generates it.
    manager_client.post(generate_url(contract), data | {"fingerprint": new_fingerprint})
    assert Invoice.objects.get(contract=contract).total == Decimal("156.00")


def test_a_double_submitted_generate_creates_one_invoice(manager_client, contract):
    data = form_as_shown(manager_client, contract, cycle=2)

    manager_client.post(generate_url(contract), data, follow=True)
    second = manager_client.post(generate_url(contract), data)

    (invoice,) = Invoice.objects.filter(contract=contract)
    assert messages_of(second) == [
        CYCLE_INVOICED_MEANWHILE.format(cycle="1 Mar 2026 – 31 Mar 2026", number=invoice.number)
    ]


def test_a_double_submitted_replace_replaces_once(manager_client, contract):
    old = invoice_cycle(contract, 2)
    data = form_as_shown(manager_client, contract, cycle=2, replace=True)

    manager_client.post(generate_url(contract), data)
    manager_client.post(generate_url(contract), data)

    assert Invoice.objects.filter(contract=contract, document="invoice").count() == 2
    assert old.credit_notes.count() == 1
    old.refresh_from_db()
    assert old.replaced_by.status == "issued"


def test_a_cancelled_cycle_is_refused_and_writes_nothing(manager_client, contract):
    BillingSchedule.objects.filter(contract=contract, cycle_index=2).update(status="cancelled")
    data = form_as_shown(manager_client, contract, cycle=2)
    before = billing_state()

    response = manager_client.post(generate_url(contract), data)

    refusal = errors.CYCLE_CANCELLED.format(cycle="1 Mar 2026 – 31 Mar 2026")
    assert billing_state() == before
    assert messages_of(response) == [refusal]
    assert not response.context["review"].can_generate
    # The page says it before any POST, in the service's words, beside the disabled button.
    shown = manager_client.get(generate_url(contract), {"cycle": 2}).content.decode()
    assert refusal in shown
    assert f"Not offered: {refusal}" in shown


def test_a_tampered_existing_invoice_is_refused_and_writes_nothing(manager_client, today):
    other = active_contract(as_of=today)
    foreign = invoice_cycle(other, 0)
    contract = active_contract(as_of=today)
    data = form_as_shown(manager_client, contract, cycle=2) | {"existing_invoice": foreign.pk}
    before = billing_state()

    response = manager_client.post(generate_url(contract), data)

    assert billing_state() == before
    assert messages_of(response) == [
        INVOICE_CHANGED_MEANWHILE.format(number=foreign.number, cycle="1 Mar 2026 – 31 Mar 2026")
    ]
