"""What is left to credit of invoice lines: what they billed less what credit notes took back."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from invoicing.credit_drafts import LineLeft
from invoicing.models import INVOICE_LINE_FIGURES, InvoiceLine


def invoice_lines_left(invoice_ids: Iterable[int]) -> dict[int, list[LineLeft]]:
    """Each invoice's lines, in order, with what earlier credit notes took back from them."""
    rows = (
        InvoiceLine.objects.filter(invoice_id__in=list(invoice_ids))
        .annotate(
            amount_credited=Coalesce(Sum("credit_lines__amount"), Decimal(0)),
            tax_credited=Coalesce(Sum("credit_lines__tax_amount"), Decimal(0)),
        )
        .order_by("invoice_id", "position")
        .values_list(
            "id",
            "invoice_id",
            "contract_line_id",
            "change_id",
            *INVOICE_LINE_FIGURES,
            "amount_credited",
            "tax_credited",
        )
    )
    by_invoice: dict[int, list[LineLeft]] = {}
    for row in rows:
        line = LineLeft(*row)
        by_invoice.setdefault(line.invoice_id, []).append(line)
    return by_invoice
