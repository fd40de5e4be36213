"""What ending a contract on a date (or removing its end) would write: the plan the End
contract page previews and `contract_end` carries out.

An invoiced cycle's schedule period is the record of what an end date has taken back: cut at
the end date once a credit note took the days after it back. Moving the end compares the new
cut with that one, line by line, with the same rounded figures (line_amounts.billed_after_end):
the days it takes back are credited, the days it gives back are billed again, so a contract
ended and extended again bills back exactly what was credited.

Change-log invoices count too: their increase lines as the cycle's regular lines, cut where
the cycle's schedule is; their lines billing days again are credited only for what a credit
cannot take from the line it credits (end_lines.shortfall_parts). Changes dated after the
end are never billed (ContractChange.objects.not_after_contract_end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from billing_site.errors import BillingError
from contracts.models import BillingContract
from invoicing.credit_drafts import CreditLineDraft, CreditNoteDraft, LineLeft
from invoicing.drafting import DraftLine, cycle_label, day_label
from invoicing.drafting import draft_days_billed_again as _billed_again_draft
from invoicing.models import Invoice
from invoicing.selectors.end_lines import plan_line, shortfall_parts
from invoicing.selectors.end_plan_data import EndPlan, ScheduleMove
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


def contract_end_plan(*, contract: BillingContract, end_date: date | None) -> EndPlan:
    """What `contract_end` would write; refuses (BillingError) what it would refuse."""
    _refuse_before_start(contract, end_date)
    plan = EndPlan(contract_id=contract.pk, end_before=contract.end_date, end_date=end_date)
    invoices = list(touched_invoices(contract, end_date))
    lines = invoice_lines_left(invoice.id for invoice in invoices)
    cuts = _invoiced_cycle_ends(contract, invoices)
    short: list[CreditLineDraft] = []
    for invoice in invoices:
        if invoice.kind == Invoice.Kind.REGULAR:
            _plan_invoice(plan, contract, invoice, lines.get(invoice.id, []), short)
        else:
            _plan_increases(plan, contract, invoice, lines.get(invoice.id, []), cuts, short)
    if short:
        _plan_shortfall(plan, invoices, lines, short)
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
    """The contract's live invoices the end date changes: regular ones billing days after
    it or whose cycle an earlier end date cut (their credited days), and change-log ones
    billing days after the earlier of the two ends (all of them without one)."""
    touched = Q(schedule__period_end__lt=F("period_end"))
    if end_date is not None:
        touched |= Q(period_end__gt=end_date)
    # Change-log invoices: their increases, and the days they billed again (end_lines.py).
    increases = Q(kind=Invoice.Kind.CHANGE_LOG)
    ends = [day for day in (end_date, contract.end_date) if day is not None]
    if ends and end_date != contract.end_date:
        increases &= Q(period_end__gt=min(ends))
    return (
        Invoice.objects.live()
        .filter(Q(kind=Invoice.Kind.REGULAR) & touched | increases, contract=contract)
        .select_related("schedule")
        .order_by("period_start", "id")
    )


def _invoiced_cycle_ends(contract: BillingContract, invoices: Sequence[Invoice]) -> dict[int, date]:
    """Cycle index -> where its invoiced schedule's period ends (cut by an earlier end
    date), when change-log invoices are among these (one query, none without)."""
    if all(invoice.kind == Invoice.Kind.REGULAR for invoice in invoices):
        return {}
    return dict(
        contract.schedules.filter(status=BillingSchedule.Status.INVOICED).values_list(
            "cycle_index", "period_end"
        )
    )


def _plan_invoice(
    plan: EndPlan,
    contract: BillingContract,
    invoice: Invoice,
    lines: Sequence[LineLeft],
    short: list[CreditLineDraft],
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
        plan_line(line, cut_before, cut_after, full_days, contract.currency, taken, again, short)
    _plan_documents(plan, contract, invoice, taken, again)
    if (cut_after or invoice.period_end) != schedule.period_end:
        plan.cut.append(replace(move, new_end=cut_after or invoice.period_end))


def _plan_increases(
    plan: EndPlan,
    contract: BillingContract,
    invoice: Invoice,
    lines: Sequence[LineLeft],
    cuts: dict[int, date],
    short: list[CreditLineDraft],
) -> None:
    """A change-log invoice's increases: each line's days after the end, as a regular
    line's, its cut the one its cycle's schedule records. Its lines billing days again
    and its decreases billed at zero are not increases: an end never takes them back."""
    taken: list[CreditLineDraft] = []
    again: list[DraftLine] = []
    for line in lines:
        if line.change_id is None or line.quantity <= 0:
            continue
        index = cycles.cycle_index_containing(
            contract.start_date, contract.billing_frequency, line.period_start
        )
        cut = cuts.get(index)
        cut_before = cut if cut is not None and cut < line.period_end else None
        end = plan.end_date
        cut_after = end if end is not None and end < line.period_end else None
        if cut_after is not None and (cut_before is None or cut_after < cut_before):
            _refuse_if_paid(invoice, cut_before or line.period_end)
        full_days = cycles.cycle_at(
            contract.start_date, contract.billing_frequency, index
        ).full_days
        plan_line(line, cut_before, cut_after, full_days, contract.currency, taken, again, short)
    _plan_documents(plan, contract, invoice, taken, again)


def _plan_shortfall(
    plan: EndPlan,
    invoices: Sequence[Invoice],
    lines: dict[int, list[LineLeft]],
    short: Sequence[CreditLineDraft],
) -> None:
    """Credit notes on the invoices that billed days again for what the end's credits
    could not take from the lines they credit (end_lines.shortfall_parts)."""
    billed_again = [
        line
        for invoice in invoices
        if invoice.kind == Invoice.Kind.CHANGE_LOG
        for line in lines.get(invoice.id, [])
        if line.change_id is None and line.has_left
    ]
    numbers = {invoice.pk: invoice.number for invoice in invoices}
    for invoice_id, taken in shortfall_parts(short, billed_again).items():
        plan.credit_notes.append(
            CreditNoteDraft(
                invoice_id=invoice_id,
                reason=ENDED_REASON.format(end=day_label(plan.end_date or taken[0].period_end)),
                lines=taken,
                period=(
                    min(line.period_start for line in taken),
                    max(line.period_end for line in taken),
                ),
            )
        )
        plan.credited_numbers[invoice_id] = numbers[invoice_id]


def _plan_documents(
    plan: EndPlan,
    contract: BillingContract,
    invoice: Invoice,
    taken: list[CreditLineDraft],
    again: list[DraftLine],
) -> None:
    """The credit note taking `taken` back from the invoice, the invoice billing `again`."""
    if taken:
        plan.credit_notes.append(
            CreditNoteDraft(
                invoice_id=invoice.pk,
                reason=ENDED_REASON.format(end=day_label(plan.end_date or invoice.period_end)),
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
