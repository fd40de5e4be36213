"""Billing schedules across contracts: the Inactive view with Resulting Invoices, and filters."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from invoicing.services import invoice_generate
from schedules.models import BillingSchedule
from tests.factories import CustomerFactory
from tests.invoicing.helpers import active_contract

D = datetime.date
pytestmark = pytest.mark.django_db
LIST = reverse("schedules:list")


def rows(response) -> list[tuple[str, int, str]]:
    return [(s.contract.number, s.cycle_index, s.status) for s in response.context["page"]]


@pytest.fixture
def book(today):
    """Two contracts: the first invoiced for January and cancelled for February, the
    second (quarterly, offset -5: its Invoice Dates fall in the month before) untouched."""
    first = active_contract(as_of=today, customer=CustomerFactory(name="Alder Foods"))
    invoice_generate(schedule=BillingSchedule.objects.get(contract=first, cycle_index=0))
    BillingSchedule.objects.filter(contract=first, cycle_index=1).update(status="cancelled")
    second = active_contract(
        as_of=today, billing_frequency="quarterly", invoice_offset_days=-5,
        customer=CustomerFactory(name="Bluefin Labs"),
    )  # fmt: skip
    return first, second


def test_the_inactive_view_lists_invoiced_and_cancelled_schedules_with_their_invoice(
    manager_client, book
):
    first, _ = book

    response = manager_client.get(LIST)

    assert rows(response) == [(first.number, 1, "cancelled"), (first.number, 0, "invoiced")]
    invoice = BillingSchedule.objects.get(contract=first, cycle_index=0).resulting_invoice
    assert f'href="/invoices/{invoice.pk}/">{invoice.number}</a>' in response.content.decode()


def test_the_active_view_lists_pending_schedules_by_invoice_date(manager_client, book):
    response = manager_client.get(LIST, {"state": "active"})

    dates = [s.invoice_date for s in response.context["page"]]
    assert dates == sorted(dates)
    assert {status for *_, status in rows(response)} == {"pending"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "invoiced"}, [0]),
        ({"status": "cancelled"}, [1]),
        ({"q": "alder"}, [1, 0]),
        ({"q": "bluefin"}, []),
        ({"invoice_from": "2026-02-01"}, [1]),
        ({"invoice_to": "2026-01-31"}, [0]),
        ({"frequency": "quarterly"}, []),
    ],
)
def test_filters_narrow_the_inactive_view(manager_client, book, query, expected):
    assert [cycle for _, cycle, _ in rows(manager_client.get(LIST, query))] == expected


def test_the_month_boundary_filter_finds_invoice_dates_in_another_month(manager_client, book):
    _, quarterly = book

    response = manager_client.get(LIST, {"state": "active", "month_boundary": "on"})

    assert {number for number, *_ in rows(response)} == {quarterly.number}
    assert all(s.invoice_date.month != s.next_invoice_date.month for s in response.context["page"])


def test_the_list_runs_the_same_queries_for_a_full_page(
    manager_client, today, django_assert_max_num_queries
):
    for _ in range(12):
        contract = active_contract(as_of=today)
        for schedule in contract.schedules.filter(cycle_index__lte=2):
            invoice_generate(schedule=schedule)

    # Session, user, permissions (2), count, page with contracts, customers and invoices.
    with django_assert_max_num_queries(6):
        response = manager_client.get(LIST, {"q": "BC"})

    assert len(response.context["page"]) == 36
