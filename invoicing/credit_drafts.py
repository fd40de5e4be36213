"""Credit-note drafts: the lines a credit note takes back and what is left of an invoice
line, in memory. Pure: no Django import; services write them, selectors load what is left.

Amounts are negative on a credit note, rounded already (once per line, by whoever drafted
them): nothing here rounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoicing.line_amounts import DocumentTotals, QuantityDecrease, document_totals


@dataclass(frozen=True)
class CreditLineDraft:
    """One line a credit note takes back: amounts and tax negative, rounded already."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    period_start: date
    period_end: date
    proration: Decimal
    amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    credited_line_id: int | None = None
    contract_line_id: int | None = None
    change_id: int | None = None


@dataclass(frozen=True)
class CreditNoteDraft:
    """A credit note to write: the invoice it credits, why, and its lines. The period is
    the credited invoice's unless it names the days it takes back (a contract ended)."""

    invoice_id: int
    reason: str
    lines: Sequence[CreditLineDraft]
    period: tuple[date, date] | None = None
    # Quantity changes this credit note bills (a change-log decrease): billed by it.
    covered_change_ids: Sequence[int] = ()

    @property
    def totals(self) -> DocumentTotals:
        return document_totals(self.lines)

    @property
    def subtotal(self) -> Decimal:
        return self.totals.subtotal

    @property
    def tax_total(self) -> Decimal:
        return self.totals.tax_total

    @property
    def total(self) -> Decimal:
        return self.totals.total


@dataclass(frozen=True)
class LineLeft:
    """An invoice line with what earlier credit notes took back from it (negative)."""

    id: int
    invoice_id: int
    contract_line_id: int | None
    change_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    period_start: date
    period_end: date
    proration: Decimal
    amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    amount_credited: Decimal
    tax_credited: Decimal
    # The change-log decreases credited from it: what it still bills day by day.
    decreases: tuple[QuantityDecrease, ...] = ()

    @property
    def amount_left(self) -> Decimal:
        return self.amount + self.amount_credited

    @property
    def tax_left(self) -> Decimal:
        return self.tax_amount + self.tax_credited

    @property
    def has_left(self) -> bool:
        return bool(self.amount_left or self.tax_left)

    def taken_back(self) -> CreditLineDraft:
        """All that is left of the line. A line never credited before is taken back as it
        was billed (its quantity negated); one partly credited already, as one unit of
        what is left of it."""
        untouched = not self.amount_credited and not self.tax_credited
        return CreditLineDraft(
            description=self.description,
            quantity=-self.quantity if untouched else Decimal(-1),
            unit_price=self.unit_price if untouched else self.amount_left,
            period_start=self.period_start,
            period_end=self.period_end,
            proration=self.proration if untouched else Decimal(1),
            amount=-self.amount_left,
            tax_rate=self.tax_rate,
            tax_amount=-self.tax_left,
            credited_line_id=self.id,
            contract_line_id=self.contract_line_id,
            change_id=self.change_id,
        )
