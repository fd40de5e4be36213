"""A credit note on a paid invoice is money owed back: the customer's balance counts it and
shows the customer in credit rather than hiding it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from invoicing.models import Invoice
from invoicing.selectors.balances import customer_balances, customers_in_credit
from invoicing.services.partial_crediting import credit_note_issue
from tests.factories import CustomerFactory
from tests.post_invoicing.helpers import contract_invoiced

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def paid_and_credited(currency: str, unit_price: str, net: str, customer=None) -> Invoice:
    invoice = contract_invoiced(currency=currency, unit_price=unit_price, customer=customer)
    Invoice.objects.filter(pk=invoice.pk).update(paid_at=timezone.now())
    invoice.refresh_from_db()
    credit_note_issue(
        invoice=invoice, amounts={invoice.lines.get().pk: Decimal(net)}, reason="Refund"
    )
    return invoice


@pytest.mark.parametrize(
    ("currency", "price", "net", "owed_back", "shown"),
    [
        # Paid 150.00; 50.00 + 10.00 tax taken back: the customer is 60.00 in credit.
        ("EUR", "12.50", "50.00", Decimal("60.00"), f"EUR{NBSP}60.00 in credit"),
        # Paid 15,000; 5,000 + 1,000 taken back: 6,000 in credit.
        ("JPY", "1250", "5000", Decimal(6000), f"JPY{NBSP}6,000 in credit"),
    ],
)
def test_a_credit_on_a_paid_invoice_shows_the_customer_in_credit(
    manager_client, currency, price, net, owed_back, shown
):
    invoice = paid_and_credited(currency, price, net)
    customer = invoice.contract.customer

    (balance,) = customer_balances(customer_id=customer.pk)
    page = manager_client.get(reverse("customers:detail", args=[customer.pk]))

    assert (balance.currency, balance.invoices, balance.unpaid) == (currency, 0, 0)
    assert balance.owed_back == owed_back and balance.in_credit == owed_back
    assert shown in page.content.decode()


def test_money_owed_back_is_set_against_what_unpaid_invoices_still_owe():
    paid = paid_and_credited("EUR", "12.50", "50.00")
    contract_invoiced(customer=paid.contract.customer)  # 150.00 unpaid

    (balance,) = customer_balances(customer_id=paid.contract.customer_id)

    # 150.00 owed less 60.00 owed back: 90.00 still owed, not in credit.
    assert (balance.unpaid, balance.owed_back, balance.balance) == (
        Decimal("150.00"),
        Decimal("60.00"),
        Decimal("90.00"),
    )
    assert balance.in_credit == 0


def list_in_credit_cells(page: str) -> list[str]:
    """The In credit cell of each row of the customer list, its text without tags."""
    cells = re.findall(r"<td class=\"num nowrap\" data-in-credit>(.*?)</td>", page, re.S)
    # Spaces and tags only: the money keeps its no-break space.
    return [re.sub(r"[ \n]+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells]


def test_the_customer_list_shows_each_customer_in_credit_per_currency(manager_client):
    euros = paid_and_credited("EUR", "12.50", "50.00")
    paid_and_credited("JPY", "1250", "5000", customer=euros.contract.customer)
    owing = contract_invoiced(customer=CustomerFactory(name="Owing Ltd"))

    page = manager_client.get(reverse("customers:list")).content.decode()

    rows = dict(
        zip(re.findall(r'customers/(\d+)/"', page), list_in_credit_cells(page), strict=True)
    )
    assert rows[str(euros.contract.customer_id)] == f"EUR{NBSP}60.00 JPY{NBSP}6,000"
    assert rows[str(owing.contract.customer_id)] == "—"  # owes 150.00: not in credit


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("customers:list")).status_code == 200
    return len(queries)


def test_the_customer_list_reads_the_balances_in_one_query_whatever_the_rows(manager_client):
    paid_and_credited("EUR", "12.50", "50.00")
    one = list_queries(manager_client)
    for _ in range(4):
        paid_and_credited("EUR", "12.50", "50.00")

    assert list_queries(manager_client) == one
    assert customers_in_credit(customer_ids=[]) == {}
