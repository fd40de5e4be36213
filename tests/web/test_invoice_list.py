"""The invoice list: filters finance asks for, totals per currency of the filtered set, and
the CSV of exactly that set."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from invoicing.forms import CURRENCY_NOT_INVOICED
from invoicing.models import Invoice
from tests.factories import BillingContractFactory, CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
LIST = reverse("invoicing:invoice_list")
CSV = reverse("invoicing:invoice_list_csv")
D = datetime.date


def invoice(*, customer="Alder", currency="EUR", **fields) -> Invoice:
    contract = BillingContractFactory(customer=CustomerFactory(name=customer), currency=currency)
    return InvoiceFactory(schedule__contract=contract, **fields)


@pytest.fixture
def book(today):
    """On 15 March: one overdue, one paid, one not yet due, one void, one in USD."""
    return {
        "overdue": invoice(invoice_date=D(2026, 2, 1), due_date=D(2026, 3, 3)),
        "paid": invoice(
            customer="Birch",
            invoice_date=D(2026, 2, 1),
            due_date=D(2026, 3, 3),
            paid_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
        ),
        "not_due": invoice(customer="Cedar", invoice_date=D(2026, 3, 2), due_date=D(2026, 4, 1)),
        "void": invoice(customer="Alder", status=Invoice.Status.VOID),
        "usd": invoice(
            customer="Douglas", currency="USD", invoice_date=D(2026, 3, 2), due_date=D(2026, 4, 1)
        ),
    }


def numbers(response) -> set[str]:
    return {invoice.number for invoice in response.context["page"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"overdue", "paid", "not_due", "void", "usd"}),
        ({"payment": "paid"}, {"paid"}),
        ({"payment": "unpaid"}, {"overdue", "not_due", "usd"}),
        ({"payment": "overdue"}, {"overdue"}),
        ({"status": "void"}, {"void"}),
        ({"currency": "USD"}, {"usd"}),
        ({"customer": "ald"}, {"overdue", "void"}),
        ({"issued_from": "2026-02-01", "issued_to": "2026-02-28"}, {"overdue", "paid"}),
        ({"due_from": "2026-03-10"}, {"not_due", "usd"}),
        ({"kind": "change_log"}, set()),
    ],
)
def test_each_filter_selects_the_invoices_finance_expects(manager_client, book, query, expected):
    response = manager_client.get(LIST, query)

    assert response.status_code == 200
    assert numbers(response) == {book[name].number for name in expected}


def test_the_totals_are_those_of_the_filtered_set_per_currency(manager_client, book):
    response = manager_client.get(LIST, {"payment": "unpaid"})

    eur, usd = response.context["totals"]
    assert (eur.currency, eur.invoices, eur.total, eur.unpaid) == ("EUR", 2, 300, 300)
    assert (usd.currency, usd.invoices, usd.total) == ("USD", 1, 150)
    assert "EUR\u00a0300.00" in response.content.decode()


def test_the_csv_holds_exactly_the_filtered_set(manager_client, book):
    response = manager_client.get(CSV, {"payment": "overdue"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["number"] for row in rows] == [book["overdue"].number]
    assert rows[0]["customer"] == "Alder" and rows[0]["total"] == "150.00"


def test_a_filter_that_does_not_validate_gets_a_message_and_no_csv(manager_client, book):
    page = manager_client.get(LIST, {"payment": "someday", "issued_from": "2026-02-31"})
    download = manager_client.get(CSV, {"payment": "someday"})

    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert reverse("invoicing:invoice_list_csv") not in page.content.decode()
    assert download.status_code == 400 and b"payment" in download.content


def test_the_currency_filter_offers_only_the_currencies_invoiced(manager_client, book):
    BillingContractFactory(currency="CHF")  # a contract in CHF, never invoiced

    response = manager_client.get(LIST)

    choices = [value for value, _ in response.context["form"].fields["currency"].choices]
    assert choices == ["", "EUR", "USD"]


def test_a_currency_never_invoiced_is_refused_with_a_message_and_no_csv(manager_client, book):
    page = manager_client.get(LIST, {"currency": "CHF"})
    download = manager_client.get(CSV, {"currency": "CHF"})

    assert page.status_code == 200
    assert len(numbers(page)) == 5
    assert CURRENCY_NOT_INVOICED % {"value": "CHF"} in page.content.decode()
    assert download.status_code == 400 and b"currency" in download.content


def test_viewers_see_the_list_and_outsiders_do_not(viewer_client, outsider_client, book):
    assert viewer_client.get(LIST).status_code == 200
    assert outsider_client.get(LIST).status_code == 403
    assert outsider_client.get(CSV).status_code == 403


def test_the_list_runs_the_same_queries_for_many_invoices(
    manager_client, today, django_assert_num_queries
):
    for _ in range(60):
        invoice()

    # Session, user, permissions (2), the currencies invoiced, the totals (their counts are
    # the page's count), the page.
    with django_assert_num_queries(7):
        response = manager_client.get(LIST)

    assert len(response.context["page"]) == 50
