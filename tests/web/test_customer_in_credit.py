"""A credit note on a paid invoice is money owed back: the customer's balance counts it and
shows the customer in credit rather than hiding it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import Invoice
from invoicing.selectors.balances import customer_balances
from invoicing.services.partial_crediting import credit_note_issue
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
