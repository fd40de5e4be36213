"""The contract page: terms, lines, change log, Active/Inactive schedules, invoices, audit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing.services import invoice_generate
from invoicing.services.manual import cycle_invoice_generate
from schedules.models import BillingSchedule
from schedules.services import contract_line_change_quantity
from tests.factories import ContractLineFactory
from tests.invoicing.helpers import active_contract
from tests.web.helpers import generate_url

D = datetime.date
pytestmark = pytest.mark.django_db


def detail_url(contract, **query) -> str:
    url = reverse("contracts:detail", args=[contract.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_page_shows_terms_lines_and_the_generate_button(manager_client, contract):
    ContractLineFactory(
        contract=contract, description="API calls", quantity=Decimal("1200"),
        unit_price=Decimal("0.0425"), tax_rate=Decimal("7.5"),
    )  # fmt: skip

    page = manager_client.get(detail_url(contract)).content.decode()

    assert contract.number in page and contract.customer.name in page
    assert "Monthly, in advance" in page and "+1 day" in page and "Open-ended" in page
    assert "1,200" in page and "EUR\u00a00.0425" in page and "7.5\u00a0%" in page
    assert f'href="{generate_url(contract)}"' in page


def test_active_schedules_are_shown_by_default_and_inactive_ones_with_their_invoice(
    manager_client, contract
):
    invoice = invoice_generate(
        schedule=BillingSchedule.objects.get(contract=contract, cycle_index=0)
    )
    BillingSchedule.objects.filter(contract=contract, cycle_index=1).update(status="cancelled")

    active = manager_client.get(detail_url(contract)).context["schedules"]
    inactive = manager_client.get(detail_url(contract, schedules="inactive"))

    assert [s.cycle_index for s in active.schedules] == [2, 3, 4, 5]
    assert (active.active_count, active.inactive_count) == (4, 2)
    shown = inactive.context["schedules"].schedules
    assert [(s.cycle_index, s.status) for s in shown] == [(1, "cancelled"), (0, "invoiced")]
    page = inactive.content.decode()
    assert "Inactive / Invoiced" in page and "Inactive / Cancelled" in page
    assert f'href="/invoices/{invoice.pk}/">{invoice.number}</a>' in page


def test_invoices_show_their_status_and_the_invoice_that_replaced_them(manager_client, contract):
    schedule = BillingSchedule.objects.get(contract=contract, cycle_index=0)
    old = invoice_generate(schedule=schedule)
    new = invoice_generate(schedule=schedule, replace=True)

    page = manager_client.get(detail_url(contract)).content.decode()

    assert "Replaced" in page
    assert f'by <a href="/invoices/{new.pk}/">{new.number}</a>' in page
    assert old.number in page


def test_the_change_log_and_the_audit_trail_say_who_did_what(
    manager_client, manager, contract, today
):
    line = contract.lines.get()
    contract_line_change_quantity(
        line=line, quantity=Decimal("12"), effective_date=D(2026, 3, 10), user=manager
    )
    invoice = cycle_invoice_generate(contract=contract, cycle_index=2, as_of=today, user=manager)

    page = manager_client.get(detail_url(contract)).content.decode()

    assert "10 → 12" in page and "10 Mar 2026" in page
    assert "Invoice generated" in page and "Manual (web)" in page and invoice.number in page
    assert "post-invoicing requested: none" in page


def test_a_viewer_sees_the_contract_without_the_generate_button(viewer_client, contract):
    page = viewer_client.get(detail_url(contract)).content.decode()

    assert contract.number in page
    assert "Generate Invoice" not in page


def test_an_unknown_contract_is_404(manager_client, db):
    assert manager_client.get("/contracts/424242/").status_code == 404


def test_the_page_runs_the_same_queries_however_long_the_contract_history(
    manager_client, today, django_assert_max_num_queries
):
    contract = active_contract(start=D(2024, 1, 1), as_of=today)
    for _ in range(3):
        ContractLineFactory(contract=contract)
    for schedule in contract.schedules.filter(period_start__lte=today):
        invoice_generate(schedule=schedule)

    # Session, user, permissions (2), contract, schedule counts, lines, changes, schedules,
    # invoices, audit events.
    with django_assert_max_num_queries(11):
        response = manager_client.get(detail_url(contract, schedules="inactive"))

    assert len(response.context["invoices"]) == 27
