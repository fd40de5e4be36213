"""The bulk window's Change Log tab: the post-invoicing choices of the Regular tab, passed
through to the run, and a summary counting the contracts with changes to bill."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import BillingContract
from invoicing.models import GenerationRun, Invoice
from invoicing.post_invoicing.models import PostInvoicingTask
from invoicing.selectors.bulk import contracts_with_changes_to_bill
from invoicing.services import generation_run_execute
from invoicing.services.bulk import bulk_change_log_run_start
from schedules.services import contract_line_change_quantity
from tests.invoicing.helpers import active_contract
from tests.web.helpers import invoice_cycle

pytestmark = pytest.mark.django_db
BULK = reverse("invoicing:bulk")
D = datetime.date
MARCH = {"period_start": "2026-03-01", "period_end": "2026-03-31"}


def change_quantity(contract, quantity: str, day: datetime.date):
    contract_line_change_quantity(
        line=contract.lines.get(), quantity=Decimal(quantity), effective_date=day
    )


@pytest.fixture
def book(today):
    """Three contracts: one changed in its invoiced March cycle (to bill), one changed in a
    cycle not invoiced yet (billed by that cycle's regular invoice), one unchanged."""
    billed, not_invoiced, unchanged = (active_contract(as_of=today) for _ in range(3))
    invoice_cycle(billed, 2)
    change_quantity(billed, "12", D(2026, 3, 10))
    change_quantity(not_invoiced, "12", D(2026, 3, 10))
    invoice_cycle(unchanged, 2)
    return billed, not_invoiced, unchanged


def window(client, contracts, **query):
    return client.get(BULK, {"contracts": [c.pk for c in contracts], "tab": "change_log", **query})


def proceed(client, contracts, **fields):
    data = {"tab": "change_log", "contracts": [c.pk for c in contracts], **MARCH, **fields}
    return client.post(BULK, data)


def test_the_tab_offers_the_regular_tabs_post_tasks_preset_by_the_same_rule(manager_client, book):
    BillingContract.objects.update(auto_send=True)
    BillingContract.objects.filter(pk=book[0].pk).update(auto_sync=True)

    response = window(manager_client, book)

    form = response.context["change_log"]
    assert [form[name].value() for name in ("auto_send", "auto_charge", "auto_sync")] == [
        True,
        False,
        False,
    ]
    assert [form.fields[name].label for name in ("auto_send", "auto_charge", "auto_sync")] == [
        "Auto-Send",
        "Auto-Charge",
        "Auto-Sync",
    ]
    page = response.content.decode()
    assert 'name="auto_send"' in page and 'name="auto_sync"' in page
    assert "not every contract has it" in page


def test_proceed_with_auto_send_unticked_runs_no_send_whatever_the_contract_says(
    manager_client, book
):
    billed = book[0]
    BillingContract.objects.filter(pk=billed.pk).update(auto_send=True, auto_sync=True)

    proceed(manager_client, [billed], auto_sync="on")
    run = GenerationRun.objects.get()
    generation_run_execute(run)

    invoice = Invoice.objects.get(kind=Invoice.Kind.CHANGE_LOG)
    assert run.parameters["post_tasks"] == {
        "auto_send": False,
        "auto_charge": False,
        "auto_sync": True,
    }
    assert list(invoice.post_tasks.values_list("kind", flat=True)) == [PostInvoicingTask.Kind.SYNC]


def test_proceed_with_auto_send_ticked_asks_for_the_send(manager_client, book):
    proceed(manager_client, [book[0]], auto_send="on")
    generation_run_execute(GenerationRun.objects.get())

    invoice = Invoice.objects.get(kind=Invoice.Kind.CHANGE_LOG)
    assert list(invoice.post_tasks.values_list("kind", flat=True)) == [PostInvoicingTask.Kind.SEND]


def test_the_summary_counts_the_selected_contracts_with_changes_to_bill(manager_client, book):
    response = window(manager_client, book, **MARCH)

    page = response.content.decode()
    assert response.context["with_changes"] == 1
    assert "<b>1</b> of the 3 selected contracts has changes to bill" in page
    assert 'id="proceed-blocked"' not in page


def test_the_count_is_one_query_and_agrees_with_what_the_run_bills(book):
    ids = [contract.pk for contract in book]

    with CaptureQueriesContext(connection) as queries:
        counted = contracts_with_changes_to_bill(
            ids, period_start=D(2026, 3, 1), period_end=D(2026, 3, 31)
        )
    run = bulk_change_log_run_start(
        contract_ids=ids, period_start=D(2026, 3, 1), period_end=D(2026, 3, 31), enqueue=False
    )
    generation_run_execute(run)

    assert len(queries) == 1
    assert counted == Invoice.objects.filter(kind=Invoice.Kind.CHANGE_LOG).count() == 1


def test_a_period_without_changes_to_bill_disables_proceed_and_says_why(manager_client, book):
    response = window(manager_client, book, period_start="2026-04-01", period_end="2026-04-30")

    page = response.content.decode()
    assert "<b>0</b> of the 3 selected contracts have changes to bill" in page
    assert "Not offered: none of the selected contracts has changes to bill in this period." in (
        page
    )
    button = page.split('id="proceed-button"', 1)[1].split(">", 1)[0]
    assert "disabled" in button and 'aria-describedby="proceed-blocked"' in button


def test_a_reversed_period_counts_nothing_and_offers_no_proceed(manager_client, book):
    response = window(manager_client, book, period_start="2026-03-31", period_end="2026-03-01")

    assert response.context["with_changes"] is None
    assert "Not offered: the period does not read." in response.content.decode()
