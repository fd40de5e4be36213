"""Preview and generate one cycle through the API: the Generate Invoice page's rules and
messages (replace, proceed for a future cycle, a stale fingerprint), per role."""

from __future__ import annotations

import pytest

from invoicing.models import AuditEvent, Invoice
from tests.factories import ContractLineFactory
from tests.invoicing.helpers import billing_state, run_nightly

pytestmark = pytest.mark.django_db


def url(contract, cycle: int, what: str) -> str:
    return f"/api/v1/contracts/{contract.pk}/cycles/{cycle}/{what}/"


def test_the_preview_shows_the_draft_and_its_fingerprint_and_writes_nothing(manager_api, contract):
    before = billing_state()

    response = manager_api.post(url(contract, 2, "preview"))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["draft"]["total"] == "150.00" and body["draft"]["currency"] == "EUR"
    assert body["draft"]["lines"][0]["amount"] == "125.00"
    assert body["fingerprint"] == body["draft"]["fingerprint"]
    assert body["refusal"] is None and body["needs_proceed"] is False
    assert billing_state() == before


def test_generating_with_the_previews_fingerprint_writes_the_invoice_and_its_audit(
    manager_api, contract, manager
):
    fingerprint = manager_api.post(url(contract, 2, "preview")).json()["fingerprint"]

    response = manager_api.post(url(contract, 2, "generate"), {"fingerprint": fingerprint})

    assert response.status_code == 201, response.json()
    invoice = Invoice.objects.get(pk=response.json()["invoice_id"])
    assert (invoice.period_start.isoformat(), response.json()["total"]) == ("2026-03-01", "150.00")
    assert AuditEvent.objects.get(invoice=invoice).actor == manager


def test_a_stale_fingerprint_is_a_409_with_the_new_draft_and_nothing_is_written(
    manager_api, contract
):
    fingerprint = manager_api.post(url(contract, 2, "preview")).json()["fingerprint"]
    ContractLineFactory(contract=contract)  # the contract changes after the preview
    before = billing_state()

    response = manager_api.post(url(contract, 2, "generate"), {"fingerprint": fingerprint})

    assert response.status_code == 409
    assert response.json()["detail"].startswith("The contract changed since the preview")
    assert len(response.json()["draft"]["lines"]) == 2
    assert billing_state() == before


def test_a_future_cycle_needs_proceed_with_the_pages_warning(manager_api, contract):
    before = billing_state()

    refused = manager_api.post(url(contract, 4, "generate"), {})

    assert refused.status_code == 422
    assert "starts after today" in refused.json()["detail"]
    assert billing_state() == before
    assert manager_api.post(url(contract, 4, "generate"), {"proceed": True}).status_code == 201


def test_an_invoiced_cycle_needs_replace_and_then_replaces_its_invoice(
    manager_api, contract, today
):
    run_nightly(today, [contract.pk])
    first = Invoice.objects.get(contract=contract, period_start="2026-03-01")

    refused = manager_api.post(url(contract, 2, "generate"), {})
    replaced = manager_api.post(url(contract, 2, "generate"), {"replace": True})

    assert refused.status_code == 422
    assert "already has invoice" in refused.json()["detail"]
    assert replaced.status_code == 201, replaced.json()
    assert replaced.json()["replaces_id"] == first.pk
    first.refresh_from_db()
    assert first.status == Invoice.Status.REPLACED


def test_an_invoice_seen_that_is_no_longer_live_stops_the_generation(manager_api, contract, today):
    run_nightly(today, [contract.pk])
    before = billing_state()

    response = manager_api.post(
        url(contract, 2, "generate"), {"replace": True, "existing_invoice": None}
    )

    assert response.status_code == 422
    assert billing_state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"replace": "maybe"},
        {"fingerprint": "x" * 65},
        {"existing_invoice": -1},
        {"auto_send": [1]},
        {"colour": "blue"},
        [1, 2],
    ],
)
def test_bad_input_to_generate_is_a_400_and_writes_nothing(manager_api, contract, body):
    before = billing_state()

    response = manager_api.post(url(contract, 2, "generate"), body)

    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert billing_state() == before


@pytest.mark.parametrize("cycle", [999, 10**25])
def test_a_cycle_the_contract_does_not_have_is_a_404(manager_api, contract, cycle):
    assert manager_api.post(url(contract, cycle, "preview")).status_code == 404
    assert manager_api.post(url(contract, cycle, "generate"), {}).status_code == 404
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("client", "expected"),
    [("viewer_api", 403), ("outsider_api", 403), ("anonymous_api", 401)],
)
def test_only_who_may_generate_previews_and_generates(request, contract, client, expected):
    api = request.getfixturevalue(client)

    assert api.post(url(contract, 2, "preview")).status_code == expected
    assert api.post(url(contract, 2, "generate"), {}).status_code == expected
    assert not Invoice.objects.exists()


def test_a_draft_contract_is_refused_with_the_services_message(manager_api, contract):
    contract.status = "draft"
    contract.save()

    preview = manager_api.post(url(contract, 2, "preview")).json()
    response = manager_api.post(url(contract, 2, "generate"), {})

    assert "only active contracts are invoiced" in preview["refusal"]
    assert response.status_code == 422
    assert "only active contracts are invoiced" in response.json()["detail"]
    assert not Invoice.objects.exists()
