"""The contracts resource: the contract list's filters, the editor's service and messages,
End contract…, cancelling, and a line's quantity change, per role; refusals write nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import BillingContract, ContractChange, ContractLine
from invoicing.models import Invoice
from schedules.models import BillingSchedule
from tests.factories import BillingContractFactory, ContractLineFactory, CustomerFactory
from tests.invoicing.helpers import billing_state, run_nightly

pytestmark = pytest.mark.django_db
URL = "/api/v1/contracts/"


def new_contract(customer_id: int, **changes) -> dict:
    return {
        "customer": customer_id,
        "number": "BC-API-1",
        "name": "Support plan",
        "status": "active",
        "start_date": "2026-01-01",
        "billing_frequency": "monthly",
        "billing_timing": "advance",
        "currency": "EUR",
        "lines": [
            {"description": "Seats", "quantity": "10", "unit_price": "12.50", "tax_rate": "20"}
        ],
        **changes,
    }


def contract_rows() -> list:
    return list(BillingContract.objects.order_by("pk").values_list("pk", "number", "status"))


def test_a_contract_is_created_with_its_lines_schedules_and_audit_entry(
    manager_api, manager, today
):
    customer = CustomerFactory()

    response = manager_api.post(URL, new_contract(customer.pk))

    assert response.status_code == 201, response.json()
    body = response.json()
    contract = BillingContract.objects.get(pk=body["id"])
    assert [(line["description"], line["quantity"]) for line in body["lines"]] == [
        ("Seats", "10.0000")
    ]
    assert contract.schedules.filter(status=BillingSchedule.Status.PENDING).exists()
    entry = LogEntry.objects.get(content_type__model="billingcontract", object_id=str(contract.pk))
    assert (entry.action_flag, entry.user) == (ADDITION, manager)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"start_date": "0001-01-01"}, "start_date"),
        ({"billing_frequency": "weekly"}, "billing_frequency"),
        ({"invoice_offset_days": 10_000}, "invoice_offset_days"),
        ({"customer": 999_999}, "customer"),
        ({"customer": "x"}, "customer"),
        ({"lines": [{"description": "Seats", "quantity": "-1"}]}, "lines"),
        ({"lines": [{"description": "Seats", "quantity": "1e30"}]}, "lines"),
        ({"lines": [{"description": "Seats", "quantity": "1", "colour": "red"}]}, "lines"),
        ({"lines": [{"id": 1, "description": "Seats", "quantity": "1"}]}, "lines"),
        ({"lines": "Seats"}, "lines"),
    ],
)
def test_bad_input_to_create_is_a_400_problem_and_writes_nothing(
    manager_api, today, changes, field
):
    customer = CustomerFactory()

    response = manager_api.post(URL, new_contract(customer.pk, **changes))

    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not BillingContract.objects.exists() and not ContractLine.objects.exists()


def test_an_end_before_the_start_is_refused_with_the_models_message(manager_api, today):
    customer = CustomerFactory()

    response = manager_api.post(URL, new_contract(customer.pk, end_date="2025-12-01"))

    assert response.status_code == 400
    assert response.json()["detail"]
    assert not BillingContract.objects.exists()


@pytest.mark.parametrize(
    ("client", "expected"),
    [("viewer_api", 403), ("outsider_api", 403), ("anonymous_api", 401)],
)
def test_only_a_manager_creates_a_contract(request, today, client, expected):
    customer = CustomerFactory()

    response = request.getfixturevalue(client).post(URL, new_contract(customer.pk))

    assert response.status_code == expected
    assert not BillingContract.objects.exists()


@pytest.mark.parametrize(
    ("client", "expected"),
    [("manager_api", 200), ("viewer_api", 200), ("outsider_api", 403), ("anonymous_api", 401)],
)
def test_who_reads_the_list_and_a_contract(request, contract, client, expected):
    api = request.getfixturevalue(client)

    assert api.get(URL).status_code == expected
    assert api.get(f"{URL}{contract.pk}/").status_code == expected


def test_the_list_filters_as_the_contract_list_does_and_orders_by_a_whitelisted_field(
    manager_api, today
):
    BillingContractFactory(number="BC-B", billing_frequency="quarterly")
    BillingContractFactory(number="BC-A", billing_frequency="quarterly")
    BillingContractFactory(number="BC-C", billing_frequency="monthly")

    rows = manager_api.get(URL, {"frequency": "quarterly", "ordering": "-number"}).json()
    by_search = manager_api.get(URL, {"q": "BC-C"}).json()

    assert [row["number"] for row in rows["results"]] == ["BC-B", "BC-A"]
    assert [row["number"] for row in by_search["results"]] == ["BC-C"]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "paused"},
        {"next_from": "2026-13-01"},
        {"next_from": "2026-03-01", "next_to": "2026-01-01"},
        {"ordering": "customer__name"},
        {"ordering": "next_invoice_date"},
        {"sort": "number"},
        {"colour": "blue"},
        {"page_size": "1000"},
    ],
)
def test_a_bad_query_string_is_a_400_not_a_wider_list(manager_api, today, query):
    BillingContractFactory()

    response = manager_api.get(URL, query)

    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"


def test_the_list_reads_a_constant_number_of_queries_whatever_the_page_holds(manager_api, today):
    BillingContractFactory.create_batch(2)
    manager_api.get(URL)  # the key's first use of the minute records it: one write more
    with CaptureQueriesContext(connection) as few:
        assert len(manager_api.get(URL).json()["results"]) == 2
    BillingContractFactory.create_batch(20)
    with CaptureQueriesContext(connection) as many:
        assert len(manager_api.get(URL).json()["results"]) == 22

    assert len(many) == len(few)


def test_cursor_pages_walk_the_whole_list_once(manager_api, today):
    numbers = sorted(BillingContractFactory().number for _ in range(5))

    seen, url, params = [], URL, {"page_size": 2}
    while url:
        page = manager_api.get(url, params).json()
        seen += [row["number"] for row in page["results"]]
        url, params = page["next"], None

    assert seen == numbers


def test_a_contract_reads_with_its_lines_money_and_iso_dates(manager_api, contract):
    body = manager_api.get(f"{URL}{contract.pk}/").json()

    assert body["start_date"] == "2026-01-01"
    assert body["next_invoice_date"] == contract.next_invoice_date.isoformat()
    assert [(line["quantity"], line["unit_price"]) for line in body["lines"]] == [
        ("10.0000", "12.5000")
    ]


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999999", "abc"])
def test_an_unknown_contract_is_a_404_problem(manager_api, today, pk):
    response = manager_api.get(f"{URL}{pk}/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_an_edit_changes_a_quantity_through_the_change_log_and_is_audited(
    manager_api, contract, manager
):
    line = contract.lines.get()

    response = manager_api.patch(
        f"{URL}{contract.pk}/",
        {
            "name": "Renamed",
            "lines": [{"id": line.pk, "quantity": "12", "quantity_effective_from": "2026-03-10"}],
        },
    )

    assert response.status_code == 200, response.json()
    change = ContractChange.objects.get(line=line)
    assert (change.quantity_before, change.quantity_after) == (Decimal("10"), Decimal("12"))
    assert change.effective_date == datetime.date(2026, 3, 10)
    contract.refresh_from_db()
    assert contract.name == "Renamed"
    entry = LogEntry.objects.get(content_type__model="billingcontract", action_flag=CHANGE)
    assert "Lines" in entry.get_change_message() and entry.user == manager


def test_an_edit_naming_another_contracts_line_is_refused_and_writes_nothing(manager_api, contract):
    other = ContractLineFactory()
    before = contract_rows(), list(ContractLine.objects.values_list("pk", "quantity"))

    response = manager_api.patch(
        f"{URL}{contract.pk}/", {"name": "Renamed", "lines": [{"id": other.pk, "quantity": "1"}]}
    )

    assert response.status_code == 400
    assert "lines" in response.json()["errors"]
    assert (contract_rows(), list(ContractLine.objects.values_list("pk", "quantity"))) == before
    contract.refresh_from_db()
    assert contract.name != "Renamed"


def test_an_edit_may_not_change_the_offset_or_the_customer(manager_api, contract):
    for body in ({"invoice_offset_days": 3}, {"customer": CustomerFactory().pk}):
        response = manager_api.patch(f"{URL}{contract.pk}/", body)

        assert response.status_code == 400
    contract.refresh_from_db()
    assert contract.invoice_offset_days == 1


def test_the_cycle_terms_of_an_invoiced_contract_are_refused_with_the_pages_message(
    manager_api, contract, today
):
    run_nightly(today, [contract.pk])

    response = manager_api.patch(f"{URL}{contract.pk}/", {"start_date": "2026-01-05"})
    moved_end = manager_api.patch(f"{URL}{contract.pk}/", {"end_date": "2026-03-20"})

    assert response.status_code == 422
    assert response.json()["detail"].startswith("The start date and billing frequency cannot")
    assert moved_end.status_code == 422
    assert "End contract" in moved_end.json()["detail"]
    contract.refresh_from_db()
    assert (contract.start_date, contract.end_date) == (datetime.date(2026, 1, 1), None)


def test_a_viewer_cannot_edit(viewer_api, contract):
    assert viewer_api.patch(f"{URL}{contract.pk}/", {"name": "X"}).status_code == 403
    contract.refresh_from_db()
    assert contract.name != "X"


def test_ending_inside_an_invoiced_cycle_previews_then_credits_the_unused_days(
    manager_api, contract, today
):
    run_nightly(today, [contract.pk])
    before = billing_state()

    preview = manager_api.post(
        f"{URL}{contract.pk}/end/", {"end_date": "2026-03-20", "preview": True}
    )

    assert preview.status_code == 200, preview.json()
    plan = preview.json()
    assert plan["end_date"] == "2026-03-20"
    assert len(plan["credit_notes"]) == 1 and plan["credited_total"].startswith("-")
    assert billing_state() == before  # a preview writes nothing

    ended = manager_api.post(
        f"{URL}{contract.pk}/end/", {"end_date": "2026-03-20", "fingerprint": plan["fingerprint"]}
    )

    assert ended.status_code == 200, ended.json()
    assert ended.json()["end_date"] == "2026-03-20"
    assert Invoice.objects.credit_notes().filter(contract=contract).count() == 1


def test_ending_without_the_previews_fingerprint_is_a_409_with_the_plan(
    manager_api, contract, today
):
    run_nightly(today, [contract.pk])
    before = billing_state()

    response = manager_api.post(f"{URL}{contract.pk}/end/", {"end_date": "2026-03-20"})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["plan"]["end_date"] == "2026-03-20"
    assert billing_state() == before
    contract.refresh_from_db()
    assert contract.end_date is None


@pytest.mark.parametrize(
    "body",
    [
        {"end_date": "2025-06-01", "preview": True},
        {"end_date": None, "preview": True},
        {"end_date": "2026/03/20"},
        {"preview": True},
        {"end_date": "2026-03-20", "when": "now"},
    ],
)
def test_a_bad_end_is_a_problem_and_writes_nothing(manager_api, contract, today, body):
    run_nightly(today, [contract.pk])
    before = billing_state()

    response = manager_api.post(f"{URL}{contract.pk}/end/", body)

    assert response.status_code in (400, 422), response.json()
    assert billing_state() == before


def test_a_viewer_cannot_end_a_contract(viewer_api, contract):
    response = viewer_api.post(f"{URL}{contract.pk}/end/", {"end_date": "2026-03-20"})

    assert response.status_code == 403


def test_a_contract_never_invoiced_is_cancelled_with_its_pending_schedules(
    manager_api, contract, manager
):
    response = manager_api.post(f"{URL}{contract.pk}/cancel/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    assert not contract.schedules.filter(status=BillingSchedule.Status.PENDING).exists()
    assert LogEntry.objects.filter(
        content_type__model="billingcontract", object_id=str(contract.pk), user=manager
    ).exists()


def test_an_invoiced_contract_is_not_cancelled(manager_api, contract, today):
    run_nightly(today, [contract.pk])
    before = billing_state()

    response = manager_api.post(f"{URL}{contract.pk}/cancel/")

    assert response.status_code == 422
    assert "End it instead" in response.json()["detail"]
    assert billing_state() == before
    contract.refresh_from_db()
    assert contract.status == "active"


def test_a_cancelled_contract_is_not_cancelled_again(manager_api, contract):
    manager_api.post(f"{URL}{contract.pk}/cancel/")

    response = manager_api.post(f"{URL}{contract.pk}/cancel/")

    assert response.status_code == 422
    assert "only a draft or active contract" in response.json()["detail"]


def test_a_viewer_cannot_cancel(viewer_api, contract):
    assert viewer_api.post(f"{URL}{contract.pk}/cancel/").status_code == 403
    contract.refresh_from_db()
    assert contract.status == "active"


def test_a_quantity_change_goes_on_the_change_log(manager_api, contract, manager):
    line = contract.lines.get()

    response = manager_api.post(
        f"{URL}{contract.pk}/lines/{line.pk}/quantity/",
        {"quantity": "15", "effective_date": "2026-03-10"},
    )

    assert response.status_code == 200, response.json()
    assert response.json()["changed"] is True
    change = ContractChange.objects.get(line=line)
    assert (change.quantity_after, change.changed_by) == (Decimal("15"), manager)


@pytest.mark.parametrize(
    ("body", "expected", "message"),
    [
        ({"quantity": "-1", "effective_date": "2026-03-10"}, 422, "below zero"),
        ({"quantity": "5", "effective_date": "2025-01-01"}, 422, "outside the contract"),
        ({"quantity": "five", "effective_date": "2026-03-10"}, 400, ""),
        ({"quantity": "5", "effective_date": "10/03/2026"}, 400, ""),
        ({"quantity": "5", "effective_date": "9999-01-01"}, 400, "Give a date from"),
        ({"quantity": "5"}, 400, ""),
        ({"quantity": "5", "effective_date": "2026-03-10", "why": "x"}, 400, ""),
    ],
)
def test_a_bad_quantity_change_is_refused_with_the_pages_message(
    manager_api, contract, body, expected, message
):
    line = contract.lines.get()

    response = manager_api.post(f"{URL}{contract.pk}/lines/{line.pk}/quantity/", body)

    assert response.status_code == expected, response.json()
    assert message in response.json()["detail"]
    assert not ContractChange.objects.exists()
    line.refresh_from_db()
    assert line.quantity == Decimal("10")


def test_another_contracts_line_is_a_404_and_nothing_changes(manager_api, contract):
    other = ContractLineFactory()

    response = manager_api.post(
        f"{URL}{contract.pk}/lines/{other.pk}/quantity/",
        {"quantity": "15", "effective_date": "2026-03-10"},
    )

    assert response.status_code == 404
    assert not ContractChange.objects.exists()


def test_a_viewer_cannot_change_a_quantity(viewer_api, contract):
    line = contract.lines.get()

    response = viewer_api.post(
        f"{URL}{contract.pk}/lines/{line.pk}/quantity/",
        {"quantity": "15", "effective_date": "2026-03-10"},
    )

    assert response.status_code == 403
    assert not ContractChange.objects.exists()
