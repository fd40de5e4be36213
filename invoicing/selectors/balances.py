"""A customer's balance per currency: what its unpaid invoices still owe (after their credit
notes), less what credit notes on paid invoices owe back to it. A negative balance is money
the customer is owed: the customer is in credit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from invoicing.models import Invoice


@dataclass(frozen=True)
class CustomerBalance:
    """One currency of a customer's balance."""

    currency: str
    invoices: int  # unpaid invoices with something left to pay
    unpaid: Decimal  # left to pay on unpaid invoices, their credit notes counted
    owed_back: Decimal  # taken back by credit notes from invoices already paid

    @property
    def balance(self) -> Decimal:
        return self.unpaid - self.owed_back

    @property
    def in_credit(self) -> Decimal:
        """What the customer is owed on balance (0 when it owes)."""
        return max(-self.balance, Decimal(0))


def customer_balances(*, customer_id: int) -> list[CustomerBalance]:
    """The customer's balance per currency, in currency order, currencies with nothing
    owed either way left out (one query)."""
    return customers_balances(customer_ids=[customer_id]).get(customer_id, [])


def customers_balances(*, customer_ids: Collection[int]) -> dict[int, list[CustomerBalance]]:
    """Each of these customers' balances per currency, as `customer_balances` gives them
    (one query for any number of customers: the customer list's page)."""
    unpaid = Q(paid_at__isnull=True)
    rows = (
        Invoice.objects.live()
        .filter(contract__customer_id__in=list(customer_ids))
        .values("contract__customer_id", "currency")
        .annotate(
            invoices=Count("id", filter=unpaid & Q(total__gt=F("credited_total"))),
            unpaid=Sum(F("total") - F("credited_total"), filter=unpaid, default=Decimal(0)),
            owed_back=Sum("credited_total", filter=~unpaid, default=Decimal(0)),
        )
        .order_by("contract__customer_id", "currency")
    )
    balances: dict[int, list[CustomerBalance]] = defaultdict(list)
    for row in rows:
        if row["unpaid"] or row["owed_back"]:
            balances[row["contract__customer_id"]].append(
                CustomerBalance(
                    currency=row["currency"],
                    invoices=row["invoices"],
                    unpaid=row["unpaid"],
                    owed_back=row["owed_back"],
                )
            )
    return dict(balances)


def customers_in_credit(*, customer_ids: Collection[int]) -> dict[int, list[CustomerBalance]]:
    """Of these customers, those owed money on balance: their currencies in credit (one
    query)."""
    found = customers_balances(customer_ids=customer_ids).items()
    in_credit = {pk: [b for b in balances if b.in_credit] for pk, balances in found}
    return {pk: balances for pk, balances in in_credit.items() if balances}
