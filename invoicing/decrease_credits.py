"""Which invoices a change-log decrease takes back from, and how much from each. Pure.

Decision (issue 15): a decrease is taken back from the live regular invoice of its cycle,
the line holding its effective date, as before. When that line has less left than the
decrease credits (an increase, billed on a change-log invoice, raised the quantity first),
the decrease takes all that is left of the regular line, then the rest from the cycle's
change-log invoices that billed increases of the same contract line, oldest first: each
invoice gets its own credit note, so every credit note still names the invoice it
corrects and never takes back more than is left of a line. Each part keeps the decrease's
days and shows one unit of its amount (1 × 560.00); the tax of the last part is what is
left of the decrease's tax (rounded once, on the decrease), so the parts add up to the
decrease exactly. A decrease larger than everything left (manual credits took the rest)
is not split: its one credit note is refused with the amount left, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from invoicing.drafting import DraftLine


class CreditedLine(NamedTuple):
    """A line of an invoice a decrease credits: which contract line, over which days, and
    what is left of it (None: not known, not capped)."""

    id: int
    contract_line_id: int | None
    period_start: date
    period_end: date
    amount_left: Decimal | None = None
    tax_left: Decimal | None = None


class CreditTarget(NamedTuple):
    """The live regular invoice of a cycle, with its lines in order, and the cycle's live
    change-log invoices a decrease may take the rest from."""

    invoice_id: int
    number: str
    lines: tuple[CreditedLine, ...]
    increase_invoices: tuple[CreditTarget, ...] = ()

    def line_for(self, contract_line_id: int, day: date) -> int | None:
        """The invoice line a decrease of this contract line from `day` takes back from:
        the segment holding the day, else the line's last segment, else none."""
        own = [line for line in self.lines if line.contract_line_id == contract_line_id]
        holding = [line for line in own if line.period_start <= day <= line.period_end]
        chosen = holding or own[-1:]
        return chosen[0].id if chosen else None


@dataclass
class LeftTracker:
    """What is left of each candidate line while a run's decreases are drafted in order."""

    left: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def know(self, line: CreditedLine) -> None:
        if line.amount_left is not None and line.id not in self.left:
            self.left[line.id] = (line.amount_left, line.tax_left or Decimal(0))

    def take(self, line_id: int | None, amount: Decimal, tax: Decimal) -> None:
        if line_id is not None and line_id in self.left:
            amount_left, tax_left = self.left[line_id]
            self.left[line_id] = (amount_left - amount, tax_left - tax)


def decrease_parts(
    line: DraftLine, target: CreditTarget, contract_line_id: int, left: LeftTracker
) -> list[tuple[CreditTarget, DraftLine, int | None]]:
    """The decrease's credit line as (invoice, credit line, credited line) parts: one part
    on the regular invoice when it fits there, else split as the module says."""
    first = target.line_for(contract_line_id, line.period_start)
    candidates = [(target, first)] + [
        (invoice, own.id)
        for invoice in target.increase_invoices
        for own in invoice.lines
        if own.contract_line_id == contract_line_id
    ]
    for invoice, line_id in candidates:
        for known in invoice.lines:
            if known.id == line_id:
                left.know(known)
    wanted, tax_wanted = -line.amount, -line.tax_amount
    available = [(t, i, left.left[i]) for t, i in candidates if i is not None and i in left.left]
    fits = first is None or first not in left.left or wanted <= left.left[first][0]
    if fits or sum((a for _, _, (a, _) in available), Decimal(0)) < wanted:
        left.take(first, wanted, tax_wanted)
        return [(target, line, first)]
    parts: list[tuple[CreditTarget, DraftLine, int | None]] = []
    for invoice, line_id, (amount_left, tax_left) in available:
        if wanted <= 0:
            break
        if amount_left <= 0:
            continue
        amount = min(wanted, amount_left)
        tax = max(min(tax_wanted, tax_left), Decimal(0))
        parts.append((invoice, _part(line, amount, tax), line_id))
        left.take(line_id, amount, tax)
        wanted, tax_wanted = wanted - amount, tax_wanted - tax
    return parts


def _part(line: DraftLine, amount: Decimal, tax: Decimal) -> DraftLine:
    """A part of a decrease's credit line: one unit of `amount` (positive) over its days."""
    return line._replace(
        quantity=Decimal(-1),
        unit_price=amount,
        proration=Fraction(1),
        amount=-amount,
        tax_amount=-tax,
    )
