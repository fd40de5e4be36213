"""The invoice page: header, lines with periods and proration, totals, lineage, audit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing.services.manual import cycle_invoice_generate
from schedules.services import contract_line_change_quantity
from tests.invoicing.helpers import active_contract

D = datetime.date
pytestmark = pytest.mark.django_db


def invoice_url(invoice) -> str:
    return reverse("invoicing:invoice_detail", args=[invoice.pk])


def test_the_page_shows_lines_with_their_periods_and_share_of_the_cycle(
    manager_client, manager, contract, today
):
    contract_line_change_quantity(
        line=contract.lines.get(),
        quantity=Decimal("20"),
        effective_date=D(2026, 3, 17),
        user=manager,
    )
    invoice = cycle_invoice_generate(contract=contract, cycle_index=2, as_of=today, user=manager)

    page = manager_client.get(invoice_url(invoice)).content.decode()

    # 10 seats 1-16 March (16/31 of the cycle), 20 seats 17-31 March (15/31).
    assert "1 Mar 2026 – 16 Mar 2026" in page and "51.61\u00a0%" in page
    assert "17 Mar 2026 – 31 Mar 2026" in page and "48.39\u00a0%" in page
    assert "EUR\u00a064.52" in page and "EUR\u00a0120.97" in page
    assert f"EUR\u00a0{invoice.total:,.2f}" in page
    assert "Manual (web) by manager" in page
    assert "1 Mar 2026 – 31 Mar 2026" in page and "Inactive / Invoiced" in page


def test_a_replaced_invoice_links_to_its_replacement_and_back(
    manager_client, manager, contract, today
):
    old = cycle_invoice_generate(contract=contract, cycle_index=2, as_of=today, user=manager)
    new = cycle_invoice_generate(
        contract=contract, cycle_index=2, as_of=today, user=manager, replace=True,
        expected_invoice_id=old.pk,
    )  # fmt: skip

    old_page = manager_client.get(invoice_url(old)).content.decode()
    new_page = manager_client.get(invoice_url(new)).content.decode()

    assert "This invoice was" in old_page and f'href="{invoice_url(new)}"' in old_page
    assert f'href="{invoice_url(old)}">{old.number}</a>' in new_page
    # The replacement's audit event shows on both invoices.
    assert f"{new.number} replaces {old.number}" in old_page
    assert f"{new.number} replaces {old.number}" in new_page


def test_an_unknown_invoice_is_404(manager_client, db):
    assert manager_client.get("/invoices/424242/").status_code == 404


def test_the_page_runs_the_same_queries_however_many_lines(
    manager_client, manager, today, django_assert_max_num_queries
):
    contract = active_contract(as_of=today)
    line = contract.lines.get()
    for day in range(2, 28, 2):
        contract_line_change_quantity(
            line=line, quantity=Decimal(day), effective_date=D(2026, 3, day), user=manager
        )
    invoice = cycle_invoice_generate(contract=contract, cycle_index=2, as_of=today, user=manager)

    # Session, user, permissions (2), invoice with its relations, lines, audit events,
    # post-invoicing tasks, credit notes.
    with django_assert_max_num_queries(9):
        response = manager_client.get(invoice_url(invoice))

    assert len(response.context["overview"].lines) == 14
