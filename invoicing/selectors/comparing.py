"""What a replacement would change: an issued invoice against the draft that would replace it."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoicing.drafting import InvoiceDraft
from invoicing.models import Invoice

# The figures of a line a billing manager checks, in the order the diff lists them.
COMPARED_FIELDS = (
    "description",
    "period_end",
    "quantity",
    "unit_price",
    "amount",
    "tax_rate",
    "tax_amount",
)


class Difference(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class LineFigures:
    description: str
    period_start: date
    period_end: date
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class LineDifference:
    difference: Difference
    before: LineFigures | None
    after: LineFigures | None
    changed_fields: tuple[str, ...] = ()

    @property
    def shown(self) -> LineFigures:
        """The figures to name the line by: the new ones, or the old for a removed line."""
        return self.after or self.before


@dataclass(frozen=True)
class TotalDifference:
    label: str
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class InvoiceComparison:
    invoice: Invoice
    currency: str
    lines: tuple[LineDifference, ...]
    totals: tuple[TotalDifference, ...]

    @property
    def has_differences(self) -> bool:
        return any(line.difference != Difference.UNCHANGED for line in self.lines) or any(
            total.change for total in self.totals
        )


def invoice_compare_with_draft(*, invoice: Invoice, draft: InvoiceDraft) -> InvoiceComparison:
    """Lines and totals added, removed and changed if `draft` replaced `invoice`.

    Lines pair up by contract line and first day billed, so a quantity change mid-cycle
    shows as the old line shortened and a new line added.
    """
    before = {_key(line): _figures(line) for line in invoice.lines.all()}
    after = {_key(line): _figures(line) for line in draft.lines}
    keys = list(after) + [key for key in before if key not in after]
    lines = tuple(_line_difference(before.get(key), after.get(key)) for key in keys)
    totals = (
        TotalDifference("Subtotal", invoice.subtotal, draft.subtotal),
        TotalDifference("Tax", invoice.tax_total, draft.tax_total),
        TotalDifference("Total", invoice.total, draft.total),
    )
    return InvoiceComparison(invoice=invoice, currency=invoice.currency, lines=lines, totals=totals)


def _key(line) -> tuple:
    return (line.contract_line_id or line.description, line.period_start)


def _figures(line) -> LineFigures:
    return LineFigures(**{name: getattr(line, name) for name in LineFigures.__dataclass_fields__})


def _line_difference(before: LineFigures | None, after: LineFigures | None) -> LineDifference:
    if before is None:
        return LineDifference(Difference.ADDED, None, after)
    if after is None:
        return LineDifference(Difference.REMOVED, before, None)
    changed = _changed_fields(before, after)
    return LineDifference(
        Difference.CHANGED if changed else Difference.UNCHANGED, before, after, changed
    )


def _changed_fields(
    before: LineFigures, after: LineFigures, fields: Iterable[str] = COMPARED_FIELDS
) -> tuple[str, ...]:
    # Decimals compare by value: the stored 125.0000 equals the drafted 125.00.
    return tuple(name for name in fields if getattr(before, name) != getattr(after, name))
