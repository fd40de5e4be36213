"""A contract's cycles through the API: what Generate Invoice lists, with each one's state."""

from __future__ import annotations

import pytest

from tests.invoicing.helpers import run_nightly

pytestmark = pytest.mark.django_db


def cycles_url(contract) -> str:
    return f"/api/v1/contracts/{contract.pk}/cycles/"


def test_cycles_show_invoiced_due_pending_and_future_states(manager_api, contract, today):
    run_nightly(today, [contract.pk])  # January to March invoiced

    rows = manager_api.get(cycles_url(contract)).json()

    by_index = {row["index"]: row for row in rows}
    assert [by_index[i]["state"] for i in range(5)] == [
        "invoiced",
        "invoiced",
        "invoiced",
        "future",
        "future",
    ]
    assert by_index[2]["current"] and by_index[2]["invoice_number"]
    assert by_index[2]["period_start"] == "2026-03-01" and by_index[2]["period_end"] == "2026-03-31"
    assert by_index[3]["schedule_id"] is not None and by_index[3]["invoice_id"] is None


def test_a_cycle_whose_invoice_date_has_come_reads_as_due(manager_api, contract):
    rows = manager_api.get(cycles_url(contract)).json()

    assert [(row["index"], row["state"], row["due"]) for row in rows[:3]] == [
        (0, "pending", True),
        (1, "pending", True),
        (2, "pending", True),
    ]
    assert rows[3]["due"] is False


@pytest.mark.parametrize(
    ("client", "expected"),
    [("manager_api", 200), ("viewer_api", 200), ("outsider_api", 403), ("anonymous_api", 401)],
)
def test_who_reads_the_cycles(request, contract, client, expected):
    assert request.getfixturevalue(client).get(cycles_url(contract)).status_code == expected


def test_an_unknown_contracts_cycles_are_a_404(manager_api, today):
    response = manager_api.get("/api/v1/contracts/424242/cycles/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
