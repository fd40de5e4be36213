"""End contract…: the date, a preview of the credit notes, the billing again and the
schedules, then the confirmation (POST, CSRF, the contract-change permission, audited); the
contract editor sends an invoiced contract's end date there."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing import errors
from invoicing.models import AuditEvent, Invoice
from invoicing.services.ending import END_BEFORE_PAID_CYCLE, END_BEFORE_START, END_PREVIEW_OUTDATED
from schedules.models import BillingSchedule
from tests.invoicing.helpers import billing_state
from tests.web.helpers import invoice_cycle, messages_of
from tests.web.test_contract_editor import edit_data

pytestmark = pytest.mark.django_db


def end_url(contract) -> str:
    return reverse("invoicing:contract_end", args=[contract.pk])


@pytest.fixture
def march(contract):
    return invoice_cycle(contract, 2)


def confirm(client, contract, **query):
    """Preview as a GET shows it, then post the preview's own confirmation."""
    preview = client.get(end_url(contract), query)
    plan = preview.context["plan"]
    data = {"end_date": query.get("end_date", ""), "fingerprint": plan.fingerprint()}
    if "open_ended" in query:
        data["open_ended"] = "on"
    return preview, client.post(end_url(contract), data, follow=True)


def test_the_preview_shows_the_credit_note_and_the_cut_and_writes_nothing(
    manager_client, contract, march
):
    before = billing_state()

    response = manager_client.get(end_url(contract), {"end_date": "2026-03-20"})

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Credit note against {march.number}" in page
    assert "44.35" in page and "8.87" in page and "53.22" in page
    assert "cut to 20 Mar 2026" in page
    assert page.count("data-cancelled") == 3  # April to June
    assert billing_state() == before


def test_confirming_ends_the_contract_credits_the_days_and_is_audited(
    manager_client, manager, contract, march
):
    _, response = confirm(manager_client, contract, end_date="2026-03-20")

    assert response.redirect_chain[-1][0] == reverse("contracts:detail", args=[contract.pk])
    assert f"Contract {contract.number} now ends on 20 Mar 2026." in messages_of(response)
    note = march.credit_notes.get()
    assert note.total == Decimal("-53.22") and note.generated_by == manager
    contract.refresh_from_db()
    assert contract.end_date == D(2026, 3, 20)
    event = contract.audit_events.get(action=AuditEvent.Action.CONTRACT_END_MOVED)
    assert event.actor == manager and "none → 20 Mar 2026" in event.detail
    # The contract page no longer warns of days billed after the end.
    assert 'data-notice="invoiced-past-end"' not in response.content.decode()


def test_removing_the_end_previews_and_bills_the_credited_days_again(
    manager_client, contract, march
):
    confirm(manager_client, contract, end_date="2026-03-20")

    preview, _ = confirm(manager_client, contract, open_ended="on")

    assert "Invoice billing credited days again" in preview.content.decode()
    again = Invoice.objects.get(kind=Invoice.Kind.CHANGE_LOG)
    assert again.total == Decimal("53.22")
    contract.refresh_from_db()
    assert contract.end_date is None
    assert BillingSchedule.objects.get(contract=contract, cycle_index=2).period_end == D(
        2026, 3, 31
    )


def test_a_confirmation_without_the_previews_fingerprint_writes_nothing(
    manager_client, contract, march
):
    before = billing_state()

    response = manager_client.post(end_url(contract), {"end_date": "2026-03-20"})

    assert response.status_code == 409
    assert END_PREVIEW_OUTDATED in messages_of(response)
    assert "data-end-preview" in response.content.decode()  # the new preview to confirm
    assert billing_state() == before


def test_ending_before_a_paid_cycle_ends_is_refused_with_its_reason(
    manager_client, contract, march
):
    Invoice.objects.filter(pk=march.pk).update(paid_at="2026-03-10T10:00Z")
    before = billing_state()

    preview = manager_client.get(end_url(contract), {"end_date": "2026-03-20"})
    posted = manager_client.post(end_url(contract), {"end_date": "2026-03-20", "fingerprint": "x"})

    refusal = END_BEFORE_PAID_CYCLE.format(
        number=march.number, period="1 Mar 2026 – 31 Mar 2026", last="31 Mar 2026"
    )
    assert preview.status_code == posted.status_code == 400
    assert refusal in messages_of(preview) and refusal in messages_of(posted)
    assert billing_state() == before


@pytest.mark.parametrize(
    "data", [{"end_date": "not a date"}, {"end_date": "9999-12-31"}, {"end_date": ""}]
)
def test_bad_input_gets_a_message_and_changes_nothing(manager_client, contract, march, data):
    before = billing_state()

    response = manager_client.post(end_url(contract), data)

    assert response.status_code == 400
    assert billing_state() == before


def test_a_viewer_may_not_end_a_contract(viewer_client, contract, march):
    before = billing_state()

    assert viewer_client.get(end_url(contract)).status_code == 403
    response = viewer_client.post(end_url(contract), {"end_date": "2026-03-20"})

    assert response.status_code == 403
    assert billing_state() == before


def test_the_editor_sends_an_invoiced_contracts_end_date_to_end_contract(
    manager_client, contract, march
):
    before = billing_state()

    response = manager_client.post(
        reverse("contracts:edit", args=[contract.pk]),
        edit_data(manager_client, contract, end_date="2026-03-20"),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "its end date is set with End contract…" in page
    assert f'href="{end_url(contract)}"' in page
    contract.refresh_from_db()
    assert contract.end_date is None
    assert billing_state() == before


def test_the_invoice_billing_credited_days_again_is_voided_not_replaced(
    manager_client, contract, march
):
    confirm(manager_client, contract, end_date="2026-03-20")
    confirm(manager_client, contract, open_ended="on")
    again = Invoice.objects.get(kind=Invoice.Kind.CHANGE_LOG)
    before = billing_state()

    response = manager_client.post(
        reverse("invoicing:change_log_replace", args=[again.pk]), follow=True
    )

    assert errors.NO_CHANGES_TO_REPLACE.format(number=again.number) in messages_of(response)
    assert billing_state() == before
    for document in (again, march.credit_notes.get()):
        page = manager_client.get(reverse("invoicing:invoice_detail", args=[document.pk]))
        assert page.status_code == 200 and document.number in page.content.decode()


def test_an_end_before_the_contract_starts_is_refused_with_its_reason(
    manager_client, contract, march
):
    before = billing_state()

    preview = manager_client.get(end_url(contract), {"end_date": "2025-12-31"})
    posted = manager_client.post(end_url(contract), {"end_date": "2025-12-31", "fingerprint": "x"})

    refusal = END_BEFORE_START.format(end="31 Dec 2025", start="1 Jan 2026")
    assert preview.status_code == posted.status_code == 400
    assert refusal in messages_of(preview) and refusal in messages_of(posted)
    assert billing_state() == before
