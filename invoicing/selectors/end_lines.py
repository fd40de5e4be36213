"""One billed line's share of an end date's move, for the end plan (end_plan.py): the
days the new end takes back are credited, the days it gives back billed again, each the
difference of the same rounded figures (line_amounts.billed_after_end), so a contract ended
and extended again bills back exactly what was credited.

Warning: issued credit notes were computed with these rules; changing them changes what
moving an end later bills back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from invoicing.credit_drafts import CreditLineDraft, LineLeft
from invoicing.drafting import PRORATION_PLACES, DraftLine
from invoicing.line_amounts import billed_after_end, days_after_end, within_left


def plan_line(
    line: LineLeft,
    cut_before: date | None,
    cut_after: date | None,
    full_days: int,
    currency: str,
    taken: list[CreditLineDraft],
    again: list[DraftLine],
    short: list[CreditLineDraft],
) -> None:
    """The line's share of the move: a credit line when the end comes earlier than the
    cycle's current cut, a line billed again when it comes later. What the credit cannot
    take from the line (its days were billed again on another invoice) goes to `short`."""
    if line.amount <= 0:
        return

    def after(end: date | None) -> tuple[Decimal, Decimal]:
        return billed_after_end(
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
            period_start=line.period_start,
            period_end=line.period_end,
            cycle_days=full_days,
            end_date=end,
            currency=currency,
            decreases=line.decreases,
        )

    (amount_now, tax_now), (amount_new, tax_new) = after(cut_before), after(cut_after)
    days = abs(
        days_after_end(line.period_start, line.period_end, cut_after)
        - days_after_end(line.period_start, line.period_end, cut_before)
    )
    if not days:
        return
    earlier, later = sorted((cut_before or line.period_end, cut_after or line.period_end))
    start = max(line.period_start, earlier + timedelta(days=1))
    end = min(line.period_end, later)
    share = Fraction(days, full_days)
    proration = (Decimal(share.numerator) / Decimal(share.denominator)).quantize(PRORATION_PLACES)
    if amount_new > amount_now:
        wanted, tax_wanted = amount_new - amount_now, tax_new - tax_now
        amount, tax = within_left(wanted, tax_wanted, line.amount_left, line.tax_left)
        credit = CreditLineDraft(
            description=f"{line.description}: {days} day(s) after the contract's end",
            quantity=-line.quantity,
            unit_price=line.unit_price,
            period_start=start,
            period_end=end,
            proration=proration,
            amount=-amount,
            tax_rate=line.tax_rate,
            tax_amount=-tax,
            credited_line_id=line.id,
            contract_line_id=line.contract_line_id,
        )
        if amount or tax:
            taken.append(credit)
        if wanted > amount:
            short.append(replace(credit, amount=amount - wanted, tax_amount=tax - tax_wanted))
    elif amount_now > amount_new:
        again.append(
            DraftLine(
                contract_line_id=line.contract_line_id,
                description=f"{line.description}: {days} day(s) billed again, the contract's "
                "end moved",
                quantity=line.quantity,
                unit_price=line.unit_price,
                period_start=start,
                period_end=end,
                proration=share,
                amount=amount_now - amount_new,
                tax_rate=line.tax_rate,
                tax_amount=tax_now - tax_new,
            )
        )


def shortfall_parts(
    short: Sequence[CreditLineDraft], billed_again: Sequence[LineLeft]
) -> dict[int, list[CreditLineDraft]]:
    """Invoice id -> the credit lines taking back, from the lines that billed days again
    (an end moved later), what an end's credit could not take from the line it credits:
    days billed twice, once by the cycle's invoice and once again, are credited from
    both, oldest first, never past what is left of a line; each part one unit of its
    amount, the tax of the last part what is left of the credit's tax."""
    left = {line.id: (line.amount_left, line.tax_left) for line in billed_again}
    parts: dict[int, list[CreditLineDraft]] = {}
    for credit in short:
        wanted, tax_wanted = -credit.amount, -credit.tax_amount
        for line in billed_again:
            overlaps = (
                line.period_start <= credit.period_end and credit.period_start <= line.period_end
            )
            if wanted <= 0 or not overlaps or line.contract_line_id != credit.contract_line_id:
                continue
            amount_left, tax_left = left[line.id]
            amount, tax = within_left(wanted, tax_wanted, amount_left, tax_left)
            if not amount:
                continue
            left[line.id] = (amount_left - amount, tax_left - tax)
            wanted, tax_wanted = wanted - amount, tax_wanted - tax
            parts.setdefault(line.invoice_id, []).append(
                replace(
                    credit,
                    quantity=Decimal(-1),
                    unit_price=amount,
                    proration=Decimal(1),
                    amount=-amount,
                    tax_amount=-tax,
                    credited_line_id=line.id,
                )
            )
    return parts
