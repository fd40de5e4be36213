"""What is left to credit of invoice lines: what they billed less what credit notes took back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from invoicing.credit_drafts import LineLeft
from invoicing.line_amounts import QuantityDecrease
from invoicing.models import INVOICE_LINE_FIGURES, InvoiceLine


def invoice_lines_left(invoice_ids: Iterable[int]) -> dict[int, list[LineLeft]]:
    """Each invoice's lines, in order, with what earlier credit notes took back from them
    and the change-log decreases among those credits (two queries)."""
    invoice_ids = list(invoice_ids)
    rows = (
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
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
    decreases = _decreases_credited(invoice_ids)
    by_invoice: dict[int, list[LineLeft]] = {}
    for row in rows:
        line = replace(LineLeft(*row), decreases=tuple(decreases.get(row[0], ())))
        by_invoice.setdefault(line.invoice_id, []).append(line)
    return by_invoice


def _decreases_credited(invoice_ids: list[int]) -> dict[int, list[QuantityDecrease]]:
    """Invoice line id -> the change-log decreases credit notes took back from it."""
    by_line: dict[int, list[QuantityDecrease]] = defaultdict(list)
    for line_id, quantity, unit_price, start, end, amount in (
        InvoiceLine.objects.filter(
            credited_line__invoice_id__in=invoice_ids, change_id__isnull=False
        )
        .order_by("credited_line_id", "id")
        .values_list(
            "credited_line_id", "quantity", "unit_price", "period_start", "period_end", "amount"
        )
    ):
        by_line[line_id].append(QuantityDecrease(quantity, unit_price, start, end, amount))
    return by_line
