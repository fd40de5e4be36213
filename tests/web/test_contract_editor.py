"""The contract editor: a manager creates a contract for a customer and edits its terms,
automation defaults and lines in the web UI, through the same services as admin (schedules
follow, quantities go on the change log), on the contract's history; bad input changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from contracts import errors
from contracts.models import BillingContract, ContractChange, ContractLine
from tests.factories import CustomerFactory
from tests.invoicing.helpers import billing_state
from tests.web.helpers import invoice_cycle

pytestmark = pytest.mark.django_db
D = datetime.date
CREATE = reverse("contracts:create")


def new_contract_data(**changes) -> dict[str, str]:
    data = {
        "number": "BC-900001",
        "name": "Team plan",
        "status": "active",
        "start_date": "2026-03-01",
        "end_date": "",
        "billing_frequency": "monthly",
        "billing_timing": "advance",
        "invoice_offset_days": "1",
        "currency": "EUR",
        "payment_terms_days": "30",
        "auto_send": "on",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-position": "0",
        "lines-0-description": "Seats",
        "lines-0-quantity": "12",
        "lines-0-unit_price": "9.50",
        "lines-0-tax_rate": "20",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(client, contract, **changes) -> dict[str, str]:
    """What the editor posts back for `contract` as shown, with `changes`."""
    response = client.get(reverse("contracts:edit", args=[contract.pk]))
    form, lines = response.context["form"], response.context["lines"]
    data = {
        "lines-TOTAL_FORMS": str(len(lines.forms)),
        "lines-INITIAL_FORMS": str(lines.initial_form_count()),
    }
    for bound in [form, *lines.forms]:
        for name in bound.fields:
            value = bound[name].value()
            if value is None or value is False:
                continue
            data[bound.add_prefix(name)] = "on" if value is True else str(value)
    data.update(changes)
    return data


def test_a_manager_creates_a_contract_with_its_lines_and_schedules(manager_client, manager, today):
    customer = CustomerFactory()

    response = manager_client.post(f"{CREATE}?customer={customer.pk}", new_contract_data())

    contract = BillingContract.objects.get(number="BC-900001")
    assert response.status_code == 302
    assert response.url == reverse("contracts:detail", args=[contract.pk])
    assert contract.customer == customer and contract.auto_send and not contract.auto_charge
    (line,) = contract.lines.all()
    assert (line.description, line.quantity, line.unit_price) == ("Seats", 12, Decimal("9.50"))
    assert contract.schedules.filter(status="pending").exists()  # kept ahead at once
    assert LogEntry.objects.get(object_id=str(contract.pk)).user == manager


def test_editing_terms_and_a_quantity_goes_through_the_change_log(manager_client, contract):
    line = contract.lines.get()
    data = edit_data(
        manager_client,
        contract,
        name="Renamed",
        auto_charge="on",
        **{"lines-0-quantity": "25", "lines-0-quantity_effective_from": "2026-03-20"},
    )

    response = manager_client.post(reverse("contracts:edit", args=[contract.pk]), data)

    assert response.status_code == 302
    contract.refresh_from_db()
    line.refresh_from_db()
    assert contract.name == "Renamed" and contract.auto_charge
    assert line.quantity == 25
    change = ContractChange.objects.get(line=line)
    assert (change.effective_date, change.quantity_before, change.quantity_after) == (
        D(2026, 3, 20),
        10,
        25,
    )


def test_a_line_is_added_from_the_empty_row(manager_client, contract):
    data = edit_data(
        manager_client,
        contract,
        **{
            "lines-1-description": "Support",
            "lines-1-quantity": "1",
            "lines-1-unit_price": "99",
            "lines-1-tax_rate": "20",
            "lines-1-position": "1",
        },
    )

    manager_client.post(reverse("contracts:edit", args=[contract.pk]), data)

    support = contract.lines.get(description="Support")
    assert contract.lines.count() == 2
    assert (support.quantity, support.unit_price, support.position) == (1, 99, 1)


def test_terms_locked_by_an_invoice_are_refused_and_nothing_changes(manager_client, contract):
    invoice_cycle(contract, 0)
    before = billing_state()
    data = edit_data(manager_client, contract, billing_frequency="quarterly", name="Changed")

    response = manager_client.post(reverse("contracts:edit", args=[contract.pk]), data)

    assert response.status_code == 400
    assert errors.TERMS_LOCKED in response.content.decode()
    assert billing_state() == before
    assert BillingContract.objects.get(pk=contract.pk).name != "Changed"


@pytest.mark.parametrize(
    "changes",
    [
        {"number": ""},
        {"start_date": "9999-12-31"},
        {"end_date": "2026-01-01", "start_date": "2026-03-01"},
        {"billing_frequency": "weekly"},
        {"invoice_offset_days": "400"},
        {"currency": "XXX"},
        {"lines-0-quantity": "-1"},
        {"lines-0-unit_price": "1e400"},
        {"lines-0-tax_rate": "101"},
        {"lines-TOTAL_FORMS": "1000000"},
    ],
)
def test_bad_input_creates_nothing(manager_client, changes):
    customer = CustomerFactory()
    before = billing_state()

    response = manager_client.post(f"{CREATE}?customer={customer.pk}", new_contract_data(**changes))

    assert response.status_code == 400
    assert billing_state() == before
    assert not ContractLine.objects.exists() and not LogEntry.objects.exists()


def test_a_duplicate_number_is_refused(manager_client, contract):
    customer = CustomerFactory()

    response = manager_client.post(
        f"{CREATE}?customer={customer.pk}", new_contract_data(number=contract.number)
    )

    assert response.status_code == 400
    assert BillingContract.objects.count() == 1


@pytest.mark.parametrize("customer", ["", "abc", "999999", "²", str(2**70)])
def test_a_new_contract_needs_a_known_customer(manager_client, customer):
    response = manager_client.get(CREATE, {"customer": customer})

    assert response.status_code == 302 and response.url == reverse("customers:list")


def test_viewers_may_not_create_or_edit(viewer_client, contract):
    customer = CustomerFactory()
    assert viewer_client.get(f"{CREATE}?customer={customer.pk}").status_code == 403
    assert viewer_client.post(reverse("contracts:edit", args=[contract.pk]), {}).status_code == 403
    assert BillingContract.objects.count() == 1
