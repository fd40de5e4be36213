"""A customer's balance per currency: what its unpaid invoices still owe (after their credit
notes), less what credit notes on paid invoices owe back to it. A negative balance is money
the customer is owed: the customer is in credit."""

from __future__ import annotations

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
    unpaid = Q(paid_at__isnull=True)
    rows = (
        Invoice.objects.live()
        .filter(contract__customer_id=customer_id)
        .values("currency")
        .annotate(
            invoices=Count("id", filter=unpaid & Q(total__gt=F("credited_total"))),
            unpaid=Sum(F("total") - F("credited_total"), filter=unpaid, default=Decimal(0)),
            owed_back=Sum("credited_total", filter=~unpaid, default=Decimal(0)),
        )
        .order_by("currency")
    )
    return [
        CustomerBalance(
            currency=row["currency"],
            invoices=row["invoices"],
            unpaid=row["unpaid"],
            owed_back=row["owed_back"],
        )
        for row in rows
        if row["unpaid"] or row["owed_back"]
    ]
