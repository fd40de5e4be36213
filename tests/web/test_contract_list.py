"""The contract list: search, filters, sorting, paging, last invoice, bulk checkboxes, queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from contracts.forms import CURRENCY_NOT_IN_USE
from contracts.models import BillingContract
from contracts.selectors import CONTRACTS_PER_PAGE
from invoicing.services import invoice_generate
from schedules.models import BillingSchedule
from tests.factories import BillingContractFactory, CustomerFactory
from tests.invoicing.helpers import active_contract

D = datetime.date
pytestmark = pytest.mark.django_db
LIST = reverse("contracts:list")


def numbers(response) -> list[str]:
    return [contract.number for contract in response.context["page"]]


@pytest.fixture
def book(today):
    """Four contracts that differ in every filtered field."""
    return {
        "monthly": BillingContractFactory(
            number="BC-100", customer=CustomerFactory(name="Alder Foods"), currency="EUR",
            next_invoice_date=D(2026, 4, 1),
        ),
        "quarterly": BillingContractFactory(
            number="BC-200", customer=CustomerFactory(name="Bluefin Labs"), currency="USD",
            billing_frequency="quarterly", next_invoice_date=D(2026, 6, 30),
        ),
        "arrears": BillingContractFactory(
            number="BC-300", customer=CustomerFactory(name="Copperleaf Retail"), currency="EUR",
            billing_timing="arrears", next_invoice_date=D(2026, 3, 31),
        ),
        "draft": BillingContractFactory(
            number="XY-400", customer=CustomerFactory(name="Alder Health"), currency="JPY",
            status="draft",
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["BC-100", "BC-200", "BC-300", "XY-400"]),
        ({"q": "xy-4"}, ["XY-400"]),
        ({"q": "alder"}, ["BC-100", "XY-400"]),
        ({"q": "  Bluefin "}, ["BC-200"]),
        ({"status": "draft"}, ["XY-400"]),
        ({"frequency": "quarterly"}, ["BC-200"]),
        ({"timing": "arrears"}, ["BC-300"]),
        ({"currency": "EUR"}, ["BC-100", "BC-300"]),
        ({"next_from": "2026-04-01"}, ["BC-100", "BC-200"]),
        ({"next_to": "2026-04-01"}, ["BC-100", "BC-300"]),
        ({"next_from": "2026-03-31", "next_to": "2026-04-30"}, ["BC-100", "BC-300"]),
        ({"q": "alder", "currency": "JPY"}, ["XY-400"]),
    ],
)
def test_search_and_filters_narrow_the_list(manager_client, book, query, expected):
    assert numbers(manager_client.get(LIST, query)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("number", ["BC-100", "BC-200", "BC-300", "XY-400"]),
        ("-number", ["XY-400", "BC-300", "BC-200", "BC-100"]),
        ("customer", ["BC-100", "XY-400", "BC-200", "BC-300"]),
        ("next_invoice_date", ["BC-300", "BC-100", "BC-200", "XY-400"]),
        # Contracts without a Next Invoice Date (drafts) stay last either way.
        ("-next_invoice_date", ["BC-200", "BC-100", "BC-300", "XY-400"]),
    ],
)
def test_whitelisted_columns_sort_the_list(manager_client, book, sort, expected):
    assert numbers(manager_client.get(LIST, {"sort": sort})) == expected


@pytest.mark.parametrize("sort", ["customer__billing_email", "-id; DROP TABLE x", "password"])
def test_an_unknown_sort_falls_back_to_the_contract_number(manager_client, book, sort):
    assert numbers(manager_client.get(LIST, {"sort": sort})) == [
        "BC-100",
        "BC-200",
        "BC-300",
        "XY-400",
    ]


def test_an_invalid_filter_is_shown_and_filters_nothing(manager_client, book):
    response = manager_client.get(LIST, {"next_from": "someday", "status": "bogus"})

    assert len(numbers(response)) == 4
    assert response.context["form"].errors.keys() == {"next_from", "status"}


def test_the_currency_filter_offers_only_the_currencies_in_use(manager_client, book):
    response = manager_client.get(LIST)

    choices = [value for value, _ in response.context["form"].fields["currency"].choices]
    assert choices == ["", "EUR", "JPY", "USD"]
    assert '<option value="SEK"' not in response.content.decode()


@pytest.mark.parametrize("currency", ["SEK", "<b>x</b>", "eur"])
def test_a_currency_no_contract_uses_is_refused_with_a_message_and_filters_nothing(
    manager_client, book, currency
):
    response = manager_client.get(LIST, {"currency": currency})

    assert response.status_code == 200
    assert len(numbers(response)) == 4
    assert response.context["form"].errors["currency"] == [
        CURRENCY_NOT_IN_USE % {"value": currency}
    ]
    assert "<b>x</b>" not in response.content.decode()


def test_the_contract_editor_still_offers_every_iso_currency(manager_client, book):
    customer = CustomerFactory()

    response = manager_client.get(reverse("contracts:create"), {"customer": customer.pk})

    page = response.content.decode()
    assert '<option value="SEK"' in page and '<option value="XOF"' in page
    assert page.count("<option value=") > 150


def test_a_reversed_date_range_is_refused_with_a_message(manager_client, book):
    response = manager_client.get(LIST, {"next_from": "2026-05-01", "next_to": "2026-04-01"})

    assert "The end of the range is before its start." in response.content.decode()


def test_the_list_is_paged_and_keeps_its_filters_across_pages(manager_client, today):
    for _ in range(CONTRACTS_PER_PAGE + 3):
        BillingContractFactory(currency="CHF")
    BillingContractFactory(currency="EUR")

    first = manager_client.get(LIST, {"currency": "CHF"})
    second = manager_client.get(LIST, {"currency": "CHF", "page": 2})

    assert len(first.context["page"]) == CONTRACTS_PER_PAGE
    assert len(second.context["page"]) == 3
    assert "?currency=CHF&amp;page=2" in first.content.decode()
    assert f"1–{CONTRACTS_PER_PAGE} of {CONTRACTS_PER_PAGE + 3}" in first.content.decode()


def test_each_row_shows_its_next_invoice_date_and_its_last_live_invoice(manager_client, today):
    contract = active_contract(as_of=today)
    for cycle in (0, 1):
        invoice_generate(schedule=BillingSchedule.objects.get(contract=contract, cycle_index=cycle))
    latest = invoice_generate(
        schedule=BillingSchedule.objects.get(contract=contract, cycle_index=1), replace=True
    )

    response = manager_client.get(LIST)

    ((row, last_invoice),) = response.context["rows"]
    assert last_invoice == latest
    assert row.next_invoice_date == D(2026, 3, 1)
    page = response.content.decode()
    assert latest.number in page and "1 Mar 2026" in page and "EUR\u00a0150.00" in page


def test_rows_have_bulk_checkboxes_that_open_the_bulk_window(manager_client, book):
    page = manager_client.get(LIST, {"status": "active"}).content.decode()

    assert page.count('form="bulk-selection"') == page.count("data-select-row")
    assert "data-select-all" in page
    assert re.search(r'<form[^>]*id="bulk-selection"[^>]*action="/contracts/bulk/"', page)
    # "Every matching" carries the filters, never the ids.
    assert "/contracts/bulk/?selection=matching&amp;status=active" in page


def test_viewers_are_not_offered_bulk_generation(viewer_client, book):
    page = viewer_client.get(LIST).content.decode()

    assert 'id="bulk-selection"' not in page
    assert "data-select-matching" not in page


def test_the_list_runs_the_same_queries_for_a_page_of_many_contracts(
    manager_client, today, django_assert_max_num_queries
):
    for _ in range(CONTRACTS_PER_PAGE + 5):
        contract = active_contract(as_of=today)
        invoice_generate(schedule=contract.schedules.get(cycle_index=0))

    # Session, user, permissions (2), the currencies in use, count, page, the page's last
    # invoices.
    with django_assert_max_num_queries(8):
        response = manager_client.get(LIST, {"q": "BC", "sort": "-next_invoice_date"})

    assert len(response.context["page"]) == CONTRACTS_PER_PAGE
    assert all(last_invoice for _, last_invoice in response.context["rows"])
    assert BillingContract.objects.count() == CONTRACTS_PER_PAGE + 5


def test_a_search_that_fits_on_its_first_page_is_not_counted_again(
    manager_client, book, django_assert_num_queries
):
    # Session, user, permissions (2), the currencies in use, the page itself (its room to
    # spare is the count), and the page's last invoices.
    with django_assert_num_queries(7):
        response = manager_client.get(LIST, {"q": "alder"})

    assert "1–2 of 2" in response.content.decode()


def test_a_full_first_page_is_counted_and_later_pages_follow(manager_client, today):
    for _ in range(CONTRACTS_PER_PAGE + 1):
        BillingContractFactory()

    first = manager_client.get(LIST)
    last = manager_client.get(LIST, {"page": "2"})
    beyond = manager_client.get(LIST, {"page": "99"})

    assert f"1–{CONTRACTS_PER_PAGE} of {CONTRACTS_PER_PAGE + 1}" in first.content.decode()
    assert len(last.context["page"]) == 1
    assert beyond.context["page"].number == 2  # a page past the end shows the last one
