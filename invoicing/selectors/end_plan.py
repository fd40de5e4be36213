"""What ending a contract on a date (or removing its end) would write: the plan the End
contract page previews and `contract_end` carries out.

An invoiced cycle's schedule period is the record of what an end date has taken back: cut at
the end date once a credit note took the days after it back. Moving the end compares the new
cut with that one, line by line, with the same rounded figures (line_amounts.billed_after_end):
the days it takes back are credited, the days it gives back are billed again, so a contract
ended and extended again bills back exactly what was credited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from billing_site.errors import BillingError
from contracts.models import BillingContract
from invoicing.credit_drafts import CreditLineDraft, CreditNoteDraft, LineLeft
from invoicing.drafting import PRORATION_PLACES, DraftLine, InvoiceDraft, cycle_label, day_label
from invoicing.drafting import draft_days_billed_again as _billed_again_draft
from invoicing.line_amounts import billed_after_end, days_after_end, within_left
from invoicing.models import Invoice
from invoicing.selectors.lines_left import invoice_lines_left
from schedules import cycles
from schedules.models import BillingSchedule, PostingPeriod

END_BEFORE_START = "The end date {end} is before the contract starts on {start}."
END_BEFORE_PAID_CYCLE = (
    "Invoice {number} is paid and covers {period}: the contract cannot end before {last}."
)
END_UNCHANGED = "The contract already ends on {end}: nothing to change."
END_ALREADY_OPEN = "The contract has no end date: nothing to change."
ENDED_REASON = "Contract ended on {end}: days after it credited."


@dataclass(frozen=True)
class ScheduleMove:
    """A schedule whose period or state the new end date changes."""

    schedule_id: int
    cycle_index: int
    period_start: date
    period_end: date
    new_end: date | None = None  # the cut (or uncut) period end; None: cancelled/reopened


@dataclass
class EndPlan:
    """What ending the contract on `end_date` (None: no end) would write."""

    contract_id: int
    end_before: date | None
    end_date: date | None
    credit_notes: list[CreditNoteDraft] = field(default_factory=list)
    credited_numbers: dict[int, str] = field(default_factory=dict)  # invoice id -> number
    billed_again: list[InvoiceDraft] = field(default_factory=list)
    voided: list[Any] = field(default_factory=list)  # invoices credited in full
    cut: list[ScheduleMove] = field(default_factory=list)
    cancelled: list[ScheduleMove] = field(default_factory=list)
    reopened: list[ScheduleMove] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return (
            not (
                self.credit_notes or self.billed_again or self.voided or self.cut or self.cancelled
            )
            and not self.reopened
        )

    @property
    def credit_rows(self) -> list[tuple[str, CreditNoteDraft]]:
        """Each credit note with the number of the invoice it credits, for the preview."""
        return [(self.credited_numbers[note.invoice_id], note) for note in self.credit_notes]

    @property
    def credited_total(self) -> Decimal:
        return sum((note.total for note in self.credit_notes), Decimal(0))

    @property
    def billed_again_total(self) -> Decimal:
        return sum((draft.total for draft in self.billed_again), Decimal(0))

    def fingerprint(self) -> str:
        """A digest of everything the end would write, to refuse a stale confirmation."""
        content = [
            str(self.end_before),
            str(self.end_date),
            [(n.invoice_id, [str(line.amount) for line in n.lines]) for n in self.credit_notes],
            [[str(line.amount) for line in draft.lines] for draft in self.billed_again],
            [invoice.id for invoice in self.voided],
            [(m.schedule_id, str(m.new_end)) for m in self.cut],
            [m.schedule_id for m in self.cancelled + self.reopened],
        ]
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:32]


def contract_end_plan(*, contract: BillingContract, end_date: date | None) -> EndPlan:
    """What `contract_end` would write; refuses (BillingError) what it would refuse."""
    _refuse_before_start(contract, end_date)
    plan = EndPlan(contract_id=contract.pk, end_before=contract.end_date, end_date=end_date)
    invoices = list(touched_invoices(contract, end_date))
    lines = invoice_lines_left(invoice.id for invoice in invoices)
    for invoice in invoices:
        _plan_invoice(plan, contract, invoice, lines.get(invoice.id, []))
    _plan_pending(plan, contract)
    # The same end date again still credits what an end set in admin left uncredited.
    if end_date == contract.end_date and plan.is_empty:
        raise BillingError(
            END_UNCHANGED.format(end=day_label(end_date)) if end_date else END_ALREADY_OPEN
        )
    return plan


def _refuse_before_start(contract: BillingContract, end_date: date | None) -> None:
    if end_date is None:
        return
    try:
        cycles.validate_day(end_date, "The end date")
    except ValueError as error:
        raise BillingError(str(error)) from error
    if end_date < contract.start_date:
        raise BillingError(
            END_BEFORE_START.format(end=day_label(end_date), start=day_label(contract.start_date))
        )


def touched_invoices(contract: BillingContract, end_date: date | None) -> QuerySet[Invoice]:
    """The contract's live regular invoices the end date changes: those billing days after
    it, and those whose cycle an earlier end date cut (their credited days)."""
    touched = Q(schedule__period_end__lt=F("period_end"))
    if end_date is not None:
        touched |= Q(period_end__gt=end_date)
    return (
        Invoice.objects.live_regular()
        .filter(touched, contract=contract)
        .select_related("schedule")
        .order_by("period_start", "id")
    )


def _plan_invoice(
    plan: EndPlan, contract: BillingContract, invoice: Invoice, lines: Sequence[LineLeft]
) -> None:
    schedule = invoice.schedule
    assert schedule is not None  # a regular invoice always has its schedule
    cut_before = schedule.period_end if schedule.period_end < invoice.period_end else None
    end = plan.end_date
    cut_after = end if end is not None and end < invoice.period_end else None
    if cut_after is not None and (cut_before is None or cut_after < cut_before):
        _refuse_if_paid(invoice, schedule.period_end)
    move = ScheduleMove(
        schedule.pk, schedule.cycle_index, invoice.period_start, schedule.period_end
    )
    if cut_after is not None and cut_after < invoice.period_start:
        plan.voided.append(invoice)
        plan.cancelled.append(move)
        return
    full_days = cycles.cycle_at(
        contract.start_date, contract.billing_frequency, schedule.cycle_index
    ).full_days
    taken: list[CreditLineDraft] = []
    again: list[DraftLine] = []
    for line in lines:
        _plan_line(line, cut_before, cut_after, full_days, contract.currency, taken, again)
    if taken:
        plan.credit_notes.append(
            CreditNoteDraft(
                invoice_id=invoice.pk,
                reason=ENDED_REASON.format(end=day_label(cut_after or invoice.period_end)),
                lines=taken,
                period=(
                    min(line.period_start for line in taken),
                    max(line.period_end for line in taken),
                ),
            )
        )
        plan.credited_numbers[invoice.pk] = invoice.number
    if again:
        plan.billed_again.append(
            _billed_again_draft(
                contract=contract,
                lines=again,
                period=(
                    min(line.period_start for line in again),
                    max(line.period_end for line in again),
                ),
                as_of=timezone.localdate(),
                closed_months=PostingPeriod.objects.closed_months(),
            )
        )
    if (cut_after or invoice.period_end) != schedule.period_end:
        plan.cut.append(replace(move, new_end=cut_after or invoice.period_end))


def _plan_line(
    line: LineLeft,
    cut_before: date | None,
    cut_after: date | None,
    full_days: int,
    currency: str,
    taken: list[CreditLineDraft],
    again: list[DraftLine],
) -> None:
    """The line's share of the move: a credit line when the end comes earlier than the
    cycle's current cut, a line billed again when it comes later."""
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
        amount, tax = within_left(
            amount_new - amount_now, tax_new - tax_now, line.amount_left, line.tax_left
        )
        if amount or tax:
            taken.append(
                CreditLineDraft(
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
            )
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


def _refuse_if_paid(invoice: Invoice, cycle_end: date) -> None:
    if invoice.is_paid:
        raise BillingError(
            END_BEFORE_PAID_CYCLE.format(
                number=invoice.number,
                period=cycle_label(invoice.period_start, invoice.period_end),
                last=day_label(cycle_end),
            )
        )


def _plan_pending(plan: EndPlan, contract: BillingContract) -> None:
    """Pending cycles the new end cuts or cancels; cancelled ones it re-opens."""
    end, before = plan.end_date, plan.end_before
    for schedule in contract.schedules.exclude(status=BillingSchedule.Status.INVOICED).order_by(
        "cycle_index"
    ):
        move = ScheduleMove(
            schedule.pk, schedule.cycle_index, schedule.period_start, schedule.period_end
        )
        live = schedule.status != BillingSchedule.Status.CANCELLED
        if live and end is not None and schedule.period_start > end:
            plan.cancelled.append(move)
        elif live and end is not None and schedule.period_end > end:
            plan.cut.append(replace(move, new_end=end))
        elif (
            not live
            and before is not None
            and schedule.period_start > before
            and (end is None or schedule.period_start <= end)
        ):
            plan.reopened.append(move)
