"""Editing contracts and lines in admin goes through the contract services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from contracts import errors
from contracts.models import BillingContract, ContractChange, ContractLine
from schedules.models import BillingSchedule
from schedules.services import schedules_keep_ahead
from tests.factories import (
    AdminFactory,
    BillingContractFactory,
    ContractLineFactory,
    InvoiceFactory,
)
from tests.test_admin import admin_url

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 1, 15)


def form_data(response) -> dict[str, str]:
    """What a browser posts back for the rendered admin form when nothing is edited."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        count = str(len(formset.initial_forms))
        data |= {
            f"{formset.prefix}-TOTAL_FORMS": count,
            f"{formset.prefix}-INITIAL_FORMS": count,
            f"{formset.prefix}-MIN_NUM_FORMS": "0",
            f"{formset.prefix}-MAX_NUM_FORMS": "1000",
        }
        forms += formset.initial_forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            data[form.add_prefix(name)] = str(value)
    return data


@pytest.fixture
def admin_user():
    return AdminFactory()


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def contract():
    """Monthly in advance from 2026-01-01, offset +1, one line of 10, schedules kept ahead."""
    contract = BillingContractFactory()
    ContractLineFactory(contract=contract, description="Seats", quantity=Decimal("10"))
    schedules_keep_ahead(as_of=AS_OF, contract_ids=[contract.pk])
    return contract


def post_change(client, contract, **edits):
    url = admin_url(contract, "change")
    data = form_data(client.get(url)) | {key: str(value) for key, value in edits.items()}
    return client.post(url, data)


def errors_shown(response) -> str:
    assert response.status_code == 200, "the form should re-render, not redirect"
    return response.content.decode()


def test_editing_a_line_quantity_writes_one_change(superuser_client, contract, admin_user):
    response = post_change(
        superuser_client,
        contract,
        **{"lines-0-quantity": "15", "lines-0-quantity_effective_from": "2026-02-10"},
    )
    assert response.status_code == 302
    change = ContractChange.objects.get()
    assert (change.quantity_before, change.quantity_after) == (Decimal("10"), Decimal("15"))
    assert change.effective_date == datetime.date(2026, 2, 10)
    assert change.changed_by == admin_user
    assert change.line.quantity == Decimal("15")


def test_quantity_change_without_a_date_is_effective_today(superuser_client, contract):
    response = post_change(
        superuser_client,
        contract,
        **{"lines-0-quantity": "12", "lines-0-quantity_effective_from": ""},
    )
    assert response.status_code == 302
    assert ContractChange.objects.get().effective_date == datetime.date.today()


def test_editing_only_the_description_writes_no_change(superuser_client, contract):
    response = post_change(superuser_client, contract, **{"lines-0-description": "Gold seats"})
    assert response.status_code == 302
    assert not ContractChange.objects.exists()
    assert contract.lines.get().description == "Gold seats"


def test_adding_a_line_writes_no_change(superuser_client, contract):
    response = post_change(
        superuser_client,
        contract,
        **{
            "lines-TOTAL_FORMS": "2",
            "lines-1-description": "Support",
            "lines-1-quantity": "1",
            "lines-1-unit_price": "99",
            "lines-1-tax_rate": "20",
            "lines-1-position": "1",
            "lines-1-quantity_effective_from": "2026-03-01",
        },
    )
    assert response.status_code == 302
    assert contract.lines.count() == 2
    assert not ContractChange.objects.exists()


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        (
            {"lines-0-quantity": "15", "lines-0-quantity_effective_from": "2025-12-31"},
            "is outside the contract",
        ),
        ({"lines-0-quantity": "-1"}, "greater than or equal to 0"),
    ],
)
def test_a_refused_quantity_change_is_a_form_error_and_saves_nothing(
    superuser_client, contract, edits, message
):
    response = post_change(superuser_client, contract, name="Renamed", **edits)
    assert message in errors_shown(response)
    assert not ContractChange.objects.exists()
    assert contract.lines.get().quantity == Decimal("10")
    contract.refresh_from_db()
    assert contract.name != "Renamed"


def test_changing_the_offset_redates_pending_schedules_not_their_periods(
    superuser_client, contract
):
    before = {
        s.pk: (s.period_start, s.period_end, s.next_invoice_date) for s in contract.schedules.all()
    }
    response = post_change(superuser_client, contract, invoice_offset_days=-5)
    assert response.status_code == 302
    pending = list(contract.schedules.filter(pk__in=before))
    assert len(pending) == len(before) > 1
    for schedule in pending:
        assert (schedule.period_start, schedule.period_end, schedule.next_invoice_date) == (
            before[schedule.pk]
        )
        assert schedule.invoice_date == schedule.next_invoice_date - datetime.timedelta(days=5)


def test_cancelling_the_contract_cancels_its_pending_schedules(superuser_client, contract):
    invoiced = contract.schedules.get(cycle_index=0)
    InvoiceFactory(schedule=invoiced, number="INV-1")
    response = post_change(superuser_client, contract, status="cancelled")
    assert response.status_code == 302
    assert not contract.schedules.active().exists()
    assert contract.schedules.filter(status="cancelled").count() == contract.schedules.count() - 1
    invoiced.refresh_from_db()
    assert invoiced.status == BillingSchedule.Status.INVOICED


def test_changing_invoiced_terms_shows_terms_locked_and_saves_nothing(superuser_client, contract):
    InvoiceFactory(schedule=contract.schedules.get(cycle_index=0), number="INV-1")
    schedules_before = list(contract.schedules.values_list("pk", "invoice_date", "status"))
    response = post_change(
        superuser_client, contract, start_date="2026-02-01", invoice_offset_days=3
    )
    assert errors.TERMS_LOCKED in errors_shown(response)
    contract.refresh_from_db()
    assert (contract.start_date, contract.invoice_offset_days) == (datetime.date(2026, 1, 1), 1)
    assert list(contract.schedules.values_list("pk", "invoice_date", "status")) == schedules_before


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ({"end_date": "2025-12-01"}, "The end date is before the start date"),
        ({"invoice_offset_days": 400}, "less than or equal to 365"),
        ({"invoice_offset_days": -400}, "greater than or equal to -365"),
    ],
)
def test_bad_contract_terms_are_refused_with_a_message(superuser_client, contract, edits, message):
    response = post_change(superuser_client, contract, name="Renamed", **edits)
    assert message in errors_shown(response)
    contract.refresh_from_db()
    assert contract.name.startswith("Subscription")
    assert contract.end_date is None
    assert contract.invoice_offset_days == 1


def test_adding_an_active_contract_creates_its_schedules(superuser_client, contract):
    url = admin_url(BillingContract, "add")
    data = form_data(superuser_client.get(url)) | {
        "number": "BC-NEW",
        "name": "New subscription",
        "customer": str(contract.customer_id),
        "start_date": "2026-01-01",
        "billing_frequency": "quarterly",
        "billing_timing": "arrears",
        "status": "active",
        "lines-TOTAL_FORMS": "1",
        "lines-0-description": "Seats",
        "lines-0-quantity": "5",
        "lines-0-unit_price": "10",
        "lines-0-tax_rate": "0",
        "lines-0-position": "0",
    }
    response = superuser_client.post(url, data)
    assert response.status_code == 302
    added = BillingContract.objects.get(number="BC-NEW")
    assert added.schedules.active().exists()
    assert added.next_invoice_date is not None
    assert ContractLine.objects.filter(contract=added).count() == 1
    assert not ContractChange.objects.exists()


def test_a_post_claiming_a_million_lines_is_refused_with_a_message_and_a_small_page(
    superuser_client, contract
):
    response = post_change(superuser_client, contract, **{"lines-TOTAL_FORMS": "1000000"})

    assert "Please submit at most 100 forms." in errors_shown(response)
    assert len(response.content) < 500_000
    assert ContractLine.objects.filter(contract=contract).count() == 1
