"""Billing schedules through the API: the schedules page's filters (Active / Inactive, due,
one contract), per role."""

from __future__ import annotations

import datetime

import pytest

from contracts.models import BillingContract
from schedules.models import BillingSchedule
from tests.factories import BillingContractFactory, BillingScheduleFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/schedules/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_active_and_inactive_as_the_schedules_page_splits_them(manager_api):
    pending = BillingScheduleFactory()
    invoiced = InvoiceFactory().schedule

    assert ids(manager_api.get(URL, {"state": "active"})) == [pending.pk]
    # Left out, the state is the page's default: Inactive.
    assert ids(manager_api.get(URL)) == [invoiced.pk]
    row = manager_api.get(URL).json()["results"][0]
    assert (row["state"], row["status"], row["resulting_invoice"]) == (
        "inactive",
        "invoiced",
        invoiced.resulting_invoice_id,
    )


def test_due_keeps_the_pending_schedules_of_active_contracts_whose_invoice_date_came(
    manager_api, today
):
    due = BillingScheduleFactory()  # cycle 0 from 1 January: Invoice Date 2 January
    BillingScheduleFactory(contract=due.contract, cycle_index=3)  # April: not yet
    BillingScheduleFactory(contract=BillingContractFactory(status=BillingContract.Status.DRAFT))

    assert ids(manager_api.get(URL, {"due": "true"})) == [due.pk]
    assert ids(manager_api.get(URL, {"due": "true", "state": "active"})) == [due.pk]


def test_due_with_the_inactive_state_is_a_contradiction_answered_with_a_400(manager_api):
    response = manager_api.get(URL, {"due": "true", "state": "inactive"})

    assert response.status_code == 400
    assert "state" in response.json()["errors"]


def test_the_contract_filter_keeps_one_contracts_schedules(manager_api):
    mine = BillingScheduleFactory()
    BillingScheduleFactory()

    assert ids(manager_api.get(URL, {"state": "active", "contract": mine.contract_id})) == [mine.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"state": "both"},
        {"contract": "abc"},
        {"contract": "-4"},
        {"invoice_from": "2026-02-30"},
        {"due": "perhaps"},
        {"month_boundary": "maybe"},
        {"sort": "id"},
        {"ordering": "invoice_date"},
    ],
)
def test_a_bad_filter_is_a_400_problem(manager_api, query):
    response = manager_api.get(URL, query)

    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"


def test_one_schedule_reads_with_its_dates_in_iso(viewer_api):
    schedule = BillingScheduleFactory()

    row = viewer_api.get(f"{URL}{schedule.pk}/").json()

    assert row["period_start"] == "2026-01-01" and row["invoice_date"] == "2026-01-02"
    assert row["contract_number"] == schedule.contract.number


def test_schedules_are_read_only_and_need_the_view_permission(
    manager_api, outsider_api, anonymous_api
):
    schedule = BillingScheduleFactory()

    # Schedules are written by the billing engine only: no one may add or change one here.
    assert manager_api.post(URL, {"cycle_index": 4}).status_code in (403, 405)
    assert manager_api.patch(f"{URL}{schedule.pk}/", {"status": "invoiced"}).status_code in (
        403,
        405,
    )
    assert outsider_api.get(URL).status_code == 403
    assert anonymous_api.get(URL).status_code == 401
    assert manager_api.get(f"{URL}99999999/").status_code == 404
    assert BillingSchedule.objects.get().status == "pending"
    assert BillingSchedule.objects.get().invoice_date == datetime.date(2026, 1, 2)
